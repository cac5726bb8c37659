/**
 * The sampling explorer: a model's real next-token distribution for a prompt, as an interactive
 * view. Sliders for temperature, top-k, top-p and min-p redraw the distribution the next token
 * would be drawn from, with the number of candidates kept and the probability mass they held.
 * The browser side is `sampling_client.ts`; both compute with the course's own sampler.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import type * as tf from "@tensorflow/tfjs";
import { InteractiveView, interactiveView } from "../display/interactive.ts";
import { plot } from "../display/plot.ts";
import { element } from "../display/view_kit.ts";
import {
  argmax,
  checkSamplingOptions,
  filteredDistribution,
  type SamplingOptions,
} from "./sampling.ts";
import {
  barScale,
  barText,
  percent,
  samplingClient,
  type SamplingState,
  samplingState,
  type SamplingViewData,
} from "./sampling_client.ts";

/** Options of {@link samplingExplorer}. */
export interface SamplingExplorerOptions {
  /** Title above the view. */
  title: string;
  /** The text whose next token the logits score. */
  prompt: string;
  /**
   * The first state (default temperature 1, no filter): a temperature in [0, 2], a top-k up
   * to the vocabulary, a top-p in (0, 1], a min-p in [0, 0.5], each in hundredths (the sliders'
   * steps).
   */
  start?: SamplingOptions;
}

/** The sampling explorer's output: the view (with the data it ships) and its first state. */
export class SamplingExplorerView extends InteractiveView<SamplingViewData> {
  /**
   * @param view the interactive view
   * @param first the first state, computed from the view's data with the course's sampler
   */
  constructor(view: InteractiveView<SamplingViewData>, readonly first: SamplingState) {
    super(view.name, view.html, view.data, view.dataBytes);
  }
}

/** How many of the likeliest candidates the live view draws, and its picture. */
const SHOWN = 30;
const PICTURED = 20;

/** A token as it should read in the view: a space as "␣", a newline as "⏎", a tab as "⇥". */
function readable(token: string): string {
  return token.replace(/ /g, "␣").replace(/\n/g, "⏎").replace(/\t/g, "⇥");
}

/** The logits as numbers, checked: rank 1, finite, one per token. */
function logitsOf(logits: ArrayLike<number> | tf.Tensor, tokens: readonly string[]): number[] {
  let values: ArrayLike<number>;
  if (Array.isArray(logits) || ArrayBuffer.isView(logits)) values = logits as ArrayLike<number>;
  else {
    const tensor = logits as tf.Tensor;
    if (tensor.rank !== 1) {
      throw new RangeError(
        `samplingExplorer needs the logits of one position, a rank-1 tensor (vocabulary), got ` +
          `shape [${tensor.shape}]`,
      );
    }
    values = tensor.dataSync();
  }
  if (values.length === 0) {
    throw new RangeError("samplingExplorer needs at least one logit (one per token), got none");
  }
  if (values.length !== tokens.length) {
    throw new RangeError(
      `samplingExplorer needs one token label per logit: ${values.length} logits, ` +
        `${tokens.length} tokens`,
    );
  }
  return Array.from(values, (v, i) => {
    if (!Number.isFinite(v)) {
      throw new RangeError(`samplingExplorer needs finite logits, got ${v} at index ${i}`);
    }
    return Math.round(v * 1000) / 1000;
  });
}

/** Throw unless `start` fits the sliders (see {@link SamplingExplorerOptions.start}). */
function checkStart(start: SamplingOptions, vocabulary: number): void {
  checkSamplingOptions(start);
  const hundredths = (x: number) => Math.abs(Math.round(x * 100) - x * 100) < 1e-9;
  const fits = [
    ["temperature", start.temperature, 2],
    ["topP", start.topP, 1],
    ["minP", start.minP, 0.5],
  ] as const;
  for (const [name, value, max] of fits) {
    if (value !== undefined && !(value <= max && hundredths(value))) {
      throw new RangeError(
        `start.${name} must be at most ${max}, in hundredths (the slider's steps), got ${value}`,
      );
    }
  }
  if (start.topK !== undefined && start.topK > vocabulary) {
    throw new RangeError(
      `start.topK must be at most the vocabulary (${vocabulary}), got ${start.topK}`,
    );
  }
}

/**
 * An interactive view of the next-token distribution for `logits` (see the module doc), `tokens`
 * naming each id. The logits are shipped to 3 decimals, and the view (and its `first` state)
 * samples from those. Its picture: the first state's 20 likeliest candidates as bars.
 */
export function samplingExplorer(
  logits: ArrayLike<number> | tf.Tensor,
  tokens: readonly string[],
  options: SamplingExplorerOptions,
): Promise<SamplingExplorerView> {
  const rounded = logitsOf(logits, tokens);
  const start: SamplingOptions = { temperature: options.start?.temperature ?? 1 };
  for (const key of ["topK", "topP", "minP"] as const) {
    if (options.start?.[key] !== undefined) start[key] = options.start[key];
  }
  checkStart(start, rounded.length);
  const data: SamplingViewData = {
    title: options.title,
    prompt: options.prompt.replace(/\n/g, "⏎"),
    tokens: tokens.map(readable),
    logits: rounded,
    shown: Math.min(SHOWN, rounded.length),
    start,
  };
  const first = samplingState(rounded, start, filteredDistribution);
  const rows = rounded.map((_, id) => id).sort((a, b) => rounded[b] - rounded[a])
    .slice(0, Math.min(PICTURED, rounded.length))
    .map((id, rank) => ({
      rank,
      before: first.tempered[id],
      after: first.final[id],
      text: barText(first.tempered[id], first.final[id]),
      label: data.tokens[id],
    }));
  const settings = Object.entries(start).map(([k, v]) => `${k} ${v}`).join(", ");
  const fallback = plot({
    title: options.title,
    subtitle: `after “${data.prompt}”; ${settings}: ${first.kept} kept, holding ` +
      percent(first.mass),
    caption: `the ${rows.length} likeliest of ${rounded.length}; light: after temperature; ` +
      "dark: after the filters, what is drawn from",
    width: 720,
    height: 60 + 16 * rows.length,
    marginLeft: 50,
    marginRight: 120,
    x: {
      domain: [0, barScale(Math.max(...rows.map((r) => Math.max(r.before, r.after))))],
      label: "probability",
      grid: true,
      tickFormat: "%",
    },
    y: {
      domain: rows.map((r) => r.rank),
      tickFormat: (rank: number) => rows[rank].label,
      label: null,
      tickSize: 0,
    },
    marks: [
      Plot.barX(rows, { x: "before", y: "rank", fill: "#9ecae1", insetBottom: 8 }),
      Plot.barX(rows, { x: "after", y: "rank", fill: "#08519c", insetTop: 7 }),
      Plot.text(rows, {
        x: (r: { before: number; after: number }) => Math.max(r.before, r.after),
        y: "rank",
        text: "text",
        textAnchor: "start",
        dx: 4,
      }),
    ],
  });
  return interactiveView({
    name: "sampling explorer",
    data,
    client: samplingClient,
    helpers: { element, argmax, filteredDistribution, samplingState, barScale, percent, barText },
    fallback,
  }).then((view) => new SamplingExplorerView(view, first));
}
