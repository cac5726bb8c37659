/**
 * The attention explorer: a model's attention weights as an interactive view. Tokens as text;
 * hover or click a token to see the weight it gives every other token; pick an attention (a
 * layer; for an encoder-decoder, the encoder's, the decoder's or the cross-attention) and a
 * head, or all heads side by side. The browser side is `attention_client.ts`.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { attentionClient, type AttentionViewData } from "./attention_client.ts";
import * as Plot from "@observablehq/plot";
import { heatmap } from "./heatmap.ts";
import { plot } from "./plot.ts";
import type { SvgView } from "./svg.ts";
import { type InteractiveView, interactiveView } from "./interactive.ts";
import { blues, element, inkOnBlues } from "./view_kit.ts";

/** One attention's weights, for {@link attentionExplorer}. */
export interface AttentionMaps {
  /** What it is, e.g. "layer 2" or "cross-attention, layer 1". */
  name: string;
  /** Weights `(H, Tq, Tk)`, or `(1, H, Tq, Tk)` as a model returns them, or one head `(Tq, Tk)`. */
  weights: tf.Tensor | readonly (readonly number[])[] | readonly (readonly (readonly number[])[])[];
  /** The query tokens (rows), as they should read ("␣" for a space, say). */
  queries: readonly string[];
  /** The key tokens (columns); default the queries (self-attention). */
  keys?: readonly string[];
}

/** Options of {@link attentionExplorer}. */
export interface AttentionExplorerOptions {
  /** Title above the view. */
  title: string;
  /** The first state: attention, head (−1: all heads), query; default 0, 0 and the last query. */
  start?: { map?: number; head?: number; query?: number };
}

/** Weights as `(H, Tq, Tk)` arrays, checked against the tokens. */
function headsOf(maps: AttentionMaps): number[][][] {
  const raw =
    (Array.isArray(maps.weights) ? maps.weights : (maps.weights as tf.Tensor).arraySync()) as
      | number[][]
      | number[][][]
      | number[][][][];
  const depth = (x: unknown): number => Array.isArray(x) ? 1 + depth(x[0]) : 0;
  const rank = depth(raw);
  const heads = rank === 2
    ? [raw as number[][]]
    : rank === 3
    ? raw as number[][][]
    : rank === 4 && raw.length === 1
    ? (raw as number[][][][])[0]
    : undefined;
  if (heads === undefined) {
    throw new RangeError(
      `"${maps.name}": attention weights must be (Tq, Tk), (H, Tq, Tk) or (1, H, Tq, Tk), got ` +
        `rank ${rank}${rank === 4 ? ` with a batch of ${raw.length}` : ""}`,
    );
  }
  const keys = maps.keys ?? maps.queries;
  if (!heads.every((head) => head.every((row) => row.every(Number.isFinite)))) {
    throw new RangeError(`"${maps.name}": attention weights must be finite numbers`);
  }
  heads.forEach((head, h) => {
    if (head.length !== maps.queries.length || head.some((row) => row.length !== keys.length)) {
      throw new RangeError(
        `"${maps.name}": head ${h + 1}'s weights are not ${maps.queries.length} queries × ` +
          `${keys.length} keys (the tokens given)`,
      );
    }
  });
  return heads;
}

/**
 * An interactive view of attention weights (see the module doc), its first state drawn as a
 * heatmap. The weights are shipped in thousandths, so the view's data stays small.
 */
export function attentionExplorer(
  maps: readonly AttentionMaps[],
  options: AttentionExplorerOptions,
): Promise<InteractiveView<AttentionViewData>> {
  if (maps.length === 0) throw new RangeError("attentionExplorer needs at least one attention");
  const shipped = maps.map((m) => ({
    name: m.name,
    queries: [...m.queries],
    keys: [...(m.keys ?? m.queries)],
    heads: headsOf(m).map((head) => head.map((row) => row.map((w) => Math.round(w * 1000)))),
  }));
  const map = options.start?.map ?? 0;
  const first = shipped[map];
  if (first === undefined || !Number.isInteger(map)) {
    throw new RangeError(`start.map ${map} is not one of the ${maps.length} attentions`);
  }
  const head = options.start?.head ?? 0;
  const query = options.start?.query ?? first.queries.length - 1;
  const within = (x: number, low: number, high: number) =>
    Number.isInteger(x) && x >= low && x < high;
  if (!within(head, -1, first.heads.length) || !within(query, 0, first.queries.length)) {
    throw new RangeError(
      `start.head ${head} must be a head's index, 0 to ${first.heads.length - 1} (or −1: all ` +
        `heads), and start.query ${query} a query's, 0 to ${first.queries.length - 1}`,
    );
  }
  const data: AttentionViewData = {
    title: options.title,
    maps: shipped,
    start: { map, head, query },
  };
  const fallback = head < 0
    ? allHeadsPicture(first, options.title)
    : heatmap(first.heads[head].map((row) => row.map((w) => w / 1000)), {
      title: options.title,
      subtitle: `${first.name}, head ${head + 1}`,
      rowLabels: first.queries,
      colLabels: first.keys,
      rowLabel: "query",
      colLabel: "key",
      domain: [0, 1],
      valueLabel: "weight",
    });
  return interactiveView({
    name: "attention explorer",
    data,
    client: attentionClient,
    helpers: { element, blues, inkOnBlues },
    fallback,
  });
}

/** The picture of a first state with every head shown: the heads' matrices side by side. */
function allHeadsPicture(map: AttentionViewData["maps"][number], title: string): SvgView {
  const cells = map.heads.flatMap((head, h) =>
    head.flatMap((row, i) =>
      row.map((w, j) => ({ head: `head ${h + 1}`, query: i, key: j, weight: w / 1000 }))
    )
  );
  const longest = (tokens: string[]) => Math.max(...tokens.map((t) => t.length));
  const cell = Math.max(6, Math.min(22, Math.floor(640 / (map.heads.length * map.keys.length))));
  return plot({
    title,
    subtitle: `${map.name}, every head`,
    width: 20 + 7 * longest(map.queries) + map.heads.length * (cell * map.keys.length + 12),
    height: 60 + 6 * longest(map.keys) + cell * map.queries.length,
    marginLeft: 12 + 7 * longest(map.queries),
    marginBottom: 10 + 6 * longest(map.keys),
    fx: { label: null },
    x: {
      type: "band",
      domain: map.keys.map((_, j) => j),
      tickFormat: (j: number) => map.keys[j],
      tickRotate: longest(map.keys) > 2 ? -45 : 0,
      label: null,
    },
    y: {
      type: "band",
      domain: map.queries.map((_, i) => i),
      tickFormat: (i: number) => map.queries[i],
      label: null,
    },
    color: { scheme: "blues", domain: [0, 1], legend: true, label: "weight" },
    marks: [Plot.cell(cells, { fx: "head", x: "key", y: "query", fill: "weight", inset: 0.5 })],
  });
}
