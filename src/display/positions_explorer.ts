/**
 * The positions explorer: sinusoidal positional encodings as an interactive view. Pick a
 * position p to see its vector PE(p), dimension by dimension, and its dot product with every
 * other position. The browser side is `positions_client.ts`.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import * as Plot from "@observablehq/plot";
import { plotDocument } from "./dom.ts";
import { type InteractiveView, interactiveView } from "./interactive.ts";
import { positionsClient, type PositionsViewData } from "./positions_client.ts";
import { svgFromElement, type SvgView } from "./svg.ts";
import { element } from "./view_kit.ts";

/** Options of {@link positionsExplorer}. */
export interface PositionsExplorerOptions {
  /** Title above the view. */
  title: string;
  /** The position shown first; default 0. */
  position?: number;
}

/** The most positions, and the most dimensions, the view draws (a point or a bar each). */
const MOST = 128;
const SIN = "#1f77b4";
const COS = "#e6550d";

/** The encodings as `(T, C)` rows, checked: finite, C even, each (sin, cos) pair on the circle. */
function rowsOf(encodings: tf.Tensor | readonly (readonly number[])[]): number[][] {
  const rows = Array.isArray(encodings)
    ? (encodings as readonly (readonly number[])[]).map((row) => [...row])
    : (encodings as tf.Tensor).rank === 2
    ? (encodings as tf.Tensor).arraySync() as number[][]
    : undefined;
  if (rows === undefined) {
    throw new RangeError(
      `positionsExplorer needs encodings of shape (T, C), got a tensor of shape ` +
        `[${(encodings as tf.Tensor).shape}]`,
    );
  }
  const dim = rows[0]?.length ?? 0;
  if (rows.length === 0 || rows.length > MOST || dim === 0 || dim > MOST || dim % 2 !== 0) {
    throw new RangeError(
      `positionsExplorer needs 1 to ${MOST} positions of an even dimension C of 2 to ${MOST} ` +
        `(C/2 (sin, cos) pairs), got ${rows.length} positions of dimension ${dim}`,
    );
  }
  rows.forEach((row, p) => {
    if (row.length !== dim || !row.every(Number.isFinite)) {
      throw new RangeError(
        `positionsExplorer needs every position's encoding to be ${dim} finite numbers; ` +
          `position ${p} has ${row.length}: [${row.slice(0, 4)}${row.length > 4 ? ", …" : ""}]`,
      );
    }
    for (let k = 0; k < dim / 2; k++) {
      const norm = row[2 * k] ** 2 + row[2 * k + 1] ** 2;
      if (Math.abs(norm - 1) > 1e-3) {
        throw new RangeError(
          `positionsExplorer shows sinusoidal encodings, whose dimensions 2k and 2k + 1 are ` +
            `sin and cos of one angle (sin² + cos² = 1); position ${p}, pair ${k} has ` +
            `sin² + cos² = ${norm.toFixed(4)}`,
        );
      }
    }
  });
  return rows;
}

/**
 * An interactive view of sinusoidal positional encodings `(T, C)` (see the module doc), its
 * first state drawn as two charts: the vector PE(p), and PE(p) · PE(q) over q. The vectors are
 * shipped to 3 decimals, the dot products (computed here) to 2.
 */
export function positionsExplorer(
  encodings: tf.Tensor | readonly (readonly number[])[],
  options: PositionsExplorerOptions,
): Promise<InteractiveView<PositionsViewData>> {
  const rows = rowsOf(encodings);
  const position = options.position ?? 0;
  if (!Number.isInteger(position) || position < 0 || position >= rows.length) {
    throw new RangeError(
      `position must be one of the ${rows.length} positions, 0 to ${rows.length - 1}; got ` +
        `${position}`,
    );
  }
  const round = (v: number, digits: number) => Number(v.toFixed(digits));
  const data: PositionsViewData = {
    title: options.title,
    vectors: rows.map((row) => row.map((v) => round(v, 3))),
    dots: rows.map((a) => rows.map((b) => round(a.reduce((s, v, c) => s + v * b[c], 0), 2))),
    start: position,
  };
  return interactiveView({
    name: "positions explorer",
    data,
    client: positionsClient,
    helpers: { element },
    fallback: firstState(data),
  });
}

/** The picture of the first state: the vector's bars above the line of its dot products. */
function firstState(data: PositionsViewData): SvgView {
  const p = data.start;
  const dim = data.vectors[0].length;
  const document = plotDocument();
  const text = (tag: string, content: string) => {
    const node = document.createElement(tag);
    node.textContent = content;
    return node;
  };
  const bars = data.vectors[p].map((v, i) => ({ i, v, fill: i % 2 === 0 ? SIN : COS }));
  const vector = Plot.plot({
    document,
    width: 640,
    height: 190,
    x: { label: "dimension", domain: [0, dim] },
    y: { label: `PE(${p})`, domain: [-1, 1], grid: true },
    marks: [
      Plot.rectY(bars, { x1: "i", x2: (d) => d.i + 0.8, y: "v", fill: "fill" }),
      Plot.ruleY([0]),
    ],
  });
  const row = data.dots[p].map((v, q) => ({ q, v }));
  const dots = Plot.plot({
    document,
    width: 640,
    height: 220,
    x: { label: "position q" },
    y: { label: `PE(${p}) · PE(q)`, grid: true },
    marks: [
      Plot.ruleX([p], { stroke: "#d62728", strokeDasharray: "4 3" }),
      Plot.line(row, { x: "q", y: "v", stroke: "#333" }),
      Plot.dot(row, { x: "q", y: "v", r: 2, fill: "#333" }),
      Plot.dot([row[p]], { x: "q", y: "v", r: 4, fill: "#d62728" }),
      Plot.text([row[p]], {
        x: "q",
        y: "v",
        text: (d) => `q = p: ${d.v.toFixed(2)}`,
        dx: 8,
        dy: 8,
        textAnchor: "start",
        fill: "#d62728",
      }),
    ],
  });
  const figure = document.createElement("figure");
  figure.append(
    text("h2", data.title),
    text("h3", `PE(${p}), ${dim} numbers: sin in even dimensions (blue), cos in odd (orange)`),
    vector,
    text("h3", `PE(${p}) · PE(q) for every position q (dashed: q = p)`),
    dots,
  );
  return svgFromElement(figure);
}
