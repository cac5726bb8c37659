/**
 * The browser side of the attention explorer (`attention_explorer.ts`): pick an attention and a
 * head (or all heads); hover or click a query token to see the weight it gives every key token,
 * as coloured tokens and as the highlighted row of each head's matrix.
 *
 * Self-contained (see `interactive.ts`): it uses only its arguments and the browser's globals.
 *
 * @module
 */
import type { blues, element, inkOnBlues } from "./view_kit.ts";

/** One attention's weights, as the browser gets them. */
export interface AttentionMapData {
  /** What it is, e.g. "layer 2" or "cross-attention, layer 1". */
  name: string;
  /** The query tokens (rows), as shown. */
  queries: string[];
  /** The key tokens (columns), as shown. */
  keys: string[];
  /** Each head's weights in thousandths, `(H, Tq, Tk)`. */
  heads: number[][][];
}

/** What the attention explorer draws. */
export interface AttentionViewData {
  /** Title above the view. */
  title: string;
  /** The attentions to choose from. */
  maps: AttentionMapData[];
  /** The first state: which attention, which head (−1: all), which query. */
  start: { map: number; head: number; query: number };
}

/** The helpers the client calls. */
export interface AttentionHelpers {
  element: typeof element;
  blues: typeof blues;
  inkOnBlues: typeof inkOnBlues;
}

/** Draw the explorer into `root` (its state in `root.dataset`: map, head, query). */
export function attentionClient(
  root: HTMLElement,
  data: AttentionViewData,
  { element, blues, inkOnBlues }: AttentionHelpers,
): void {
  const state = { ...data.start };
  const tokenStyle = "display:inline-block;margin:1px;padding:1px 4px;border-radius:3px;" +
    "font-family:ui-monospace,monospace;white-space:pre;cursor:pointer;";
  const mapSelect = element(
    "select",
    { "aria-label": "attention", class: "course-map" },
    data.maps.map((m, i) => element("option", { value: i }, [m.name])),
  ) as HTMLSelectElement;
  const headSelect = element("select", {
    "aria-label": "head",
    class: "course-head",
  }) as HTMLSelectElement;
  const queries = element("div", { class: "course-queries", style: "margin:6px 0" });
  const heads = element("div", { class: "course-heads", style: "display:flex;flex-wrap:wrap" });
  const readout = element("div", { class: "course-readout", style: "margin-top:4px;color:#333" });
  root.append(
    element("div", { style: "font-weight:bold;font-size:15px;margin-bottom:6px" }, [data.title]),
    element("div", {}, [
      element("label", {}, ["attention ", mapSelect]),
      "  ",
      element("label", {}, ["head ", headSelect]),
    ]),
    element("div", { style: "color:#555;margin-top:6px" }, [
      "Hover or click a query token (or a row of a matrix):",
    ]),
    queries,
    heads,
    readout,
  );

  function fillHeadSelect(): void {
    const count = data.maps[state.map].heads.length;
    headSelect.replaceChildren(
      ...Array.from({ length: count }, (_, h) => element("option", { value: h }, [`${h + 1}`])),
      ...(count > 1 ? [element("option", { value: -1 }, ["all"])] : []),
    );
    if (state.head >= count || (state.head < 0 && count === 1)) state.head = 0;
    headSelect.value = String(state.head);
  }

  function select(query: number): void {
    if (query === state.query) return;
    state.query = query;
    update();
  }

  /** The parts that change with the query: built once per attention and head. */
  let parts: { strips: HTMLElement[][]; rows: Element[]; tokens: HTMLElement[]; shown: number[] };

  function build(): void {
    const map = data.maps[state.map];
    state.query = Math.min(state.query, map.queries.length - 1);
    const tokens = map.queries.map((token, i) =>
      element("span", {
        class: "course-query",
        "data-index": i,
        style: tokenStyle,
        onmouseenter: () => select(i),
        onclick: () => select(i),
      }, [token])
    );
    queries.replaceChildren(element("span", { style: "color:#555" }, ["queries: "]), ...tokens);
    const shown = state.head < 0 ? map.heads.map((_, h) => h) : [state.head];
    const cell = Math.max(6, Math.min(22, Math.floor(260 / map.keys.length)));
    const size = { w: cell * map.keys.length, h: cell * map.queries.length };
    // Token labels beside the rows and above the columns, where a cell is big enough to read.
    const labelled = cell >= 9;
    const longest = (tokens: string[]) => Math.max(...tokens.map((t) => t.length));
    const left = labelled ? Math.min(96, 7 * longest(map.queries) + 8) : 0;
    const rotate = longest(map.keys) > 2; // long key labels stand at an angle
    const top = labelled ? (rotate ? Math.min(70, 5 * longest(map.keys) + 8) : 14) : 0;
    const axisLabels = () => [
      ...map.queries.map((token, i) =>
        element("svg:text", {
          x: left - 4,
          y: top + i * cell + cell / 2 + 3,
          "text-anchor": "end",
        }, [token])
      ),
      ...map.keys.map((token, j) =>
        element(
          "svg:text",
          rotate
            ? { transform: `translate(${left + j * cell + cell / 2 + 3}, ${top - 4}) rotate(-60)` }
            : { x: left + j * cell + cell / 2, y: top - 4, "text-anchor": "middle" },
          [token],
        )
      ),
    ];
    const strips: HTMLElement[][] = [];
    const rows: Element[] = [];
    heads.replaceChildren(...shown.map((h) => {
      const keys = map.keys.map((token) =>
        element("span", { class: "course-key", style: tokenStyle + "cursor:default" }, [token])
      );
      strips.push(keys);
      const row = element("svg:rect", {
        x: 0,
        width: size.w,
        height: cell,
        fill: "none",
        stroke: "#d62728",
        "stroke-width": 2,
        "pointer-events": "none",
      });
      rows.push(row);
      const matrix = element("svg:svg", {
        width: left + size.w + 2 + (labelled ? 3 * longest(map.keys) + 4 : 0),
        height: top + size.h + 2,
        "font-size": 10,
      }, [
        ...(labelled ? axisLabels() : []),
        element("svg:g", { transform: `translate(${left}, ${top})` }, [
          ...map.heads[h].flatMap((weights, i) =>
            weights.map((w, j) =>
              element("svg:rect", {
                x: j * cell,
                y: i * cell,
                width: cell,
                height: cell,
                fill: blues(w / 1000),
                onmouseenter: () => select(i),
              })
            )
          ),
          row,
        ]),
      ]);
      return element("div", { style: "margin:0 14px 8px 0;max-width:100%" }, [
        element("div", { style: "color:#555" }, [`head ${h + 1}: keys`]),
        element("div", { class: "course-keys", "data-head": h, style: "margin:2px 0 6px" }, keys),
        matrix,
      ]);
    }));
    parts = { strips, rows, tokens, shown };
    update();
  }

  function update(): void {
    const map = data.maps[state.map];
    const cell = Number(parts.rows[0].getAttribute("height"));
    Object.assign(root.dataset, {
      map: String(state.map),
      head: String(state.head),
      query: String(state.query),
    });
    parts.tokens.forEach((token, i) => {
      token.style.outline = i === state.query ? "2px solid #d62728" : "1px solid #ccc";
    });
    parts.shown.forEach((h, n) => {
      const weights = map.heads[h][state.query];
      parts.strips[n].forEach((key, j) => {
        const w = weights[j] / 1000;
        key.dataset.weight = w.toFixed(3);
        key.title = `${map.keys[j]}: ${w.toFixed(3)}`;
        key.style.background = blues(w);
        key.style.color = inkOnBlues(w);
      });
      parts.rows[n].setAttribute("y", String(state.query * cell));
    });
    // What the first head shown does with this query, in the shipped thousandths.
    const first = map.heads[parts.shown[0]][state.query];
    const most = Math.max(...first);
    const where = `in head ${parts.shown[0] + 1} of ${map.name}`;
    const query = `“${map.queries[state.query]}”`;
    const weighted = first.filter((w) => w > 0).length;
    const tops = map.keys.filter((_, j) => first[j] === most).map((key) => `“${key}”`);
    readout.textContent = weighted > 1 && first.every((w) => w === 0 || w === most)
      ? `${query} spreads its weight evenly ${where}: ${(most / 1000).toFixed(3)} on each of ` +
        `${weighted} tokens (to 3 decimals).`
      : `${query} gives most weight to ${tops.join(" and ")} (${(most / 1000).toFixed(3)}` +
        `${tops.length > 1 ? " each" : ""}) ${where}; each row of weights sums to 1.`;
  }

  mapSelect.addEventListener("change", () => {
    state.map = Number(mapSelect.value);
    fillHeadSelect();
    build();
  });
  headSelect.addEventListener("change", () => {
    state.head = Number(headSelect.value);
    build();
  });
  mapSelect.value = String(state.map);
  fillHeadSelect();
  build();
}
