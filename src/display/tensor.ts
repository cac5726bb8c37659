/**
 * A readable view of a tensor: its dtype and shape, then its values with a fixed number of
 * decimals, long dimensions shortened to their first and last entries.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { DISPLAY, type Displayable, escapeXml, type MediaBundle } from "./bundle.ts";

/** Options of {@link formatTensor} and {@link tensorView}. */
export interface TensorFormat {
  /** Decimals of floats (default 4). */
  digits?: number;
  /** A dimension longer than this is shortened to its first and last `edge` entries (default 10). */
  maxItems?: number;
  /** Entries kept at each end of a shortened dimension (default 3). */
  edge?: number;
  /** A name shown in the header, e.g. "Q". */
  name?: string;
}

type Nested = number | Nested[];

/** The header line: `name: float32 [2, 3]`. */
function header(tensor: tf.Tensor, name?: string): string {
  return `${name ? `${name}: ` : ""}${tensor.dtype} [${tensor.shape.join(", ")}]`;
}

/** The options with defaults, and how one number is written. */
function resolve(tensor: tf.Tensor, options: TensorFormat) {
  const digits = options.digits ?? 4;
  return {
    maxItems: options.maxItems ?? 10,
    edge: options.edge ?? 3,
    number: (x: number) => (tensor.dtype === "float32" ? x.toFixed(digits) : String(x)),
  };
}

/** Indices shown of a dimension of `n` entries: all, or the first and last `edge`, −1 for "…". */
function shownIndices(n: number, { maxItems, edge }: { maxItems: number; edge: number }): number[] {
  if (n <= maxItems) return Array.from({ length: n }, (_, i) => i);
  return [
    ...Array.from({ length: edge }, (_, i) => i),
    -1,
    ...Array.from({ length: edge }, (_, i) => n - edge + i),
  ];
}

/** Format a tensor as text (synchronously reads its values). */
export function formatTensor(tensor: tf.Tensor, options: TensorFormat = {}): string {
  return textOf(tensor, tensor.arraySync() as Nested, options);
}

function textOf(tensor: tf.Tensor, values: Nested, options: TensorFormat): string {
  const shown = resolve(tensor, options);
  // Pad all numbers to one width so columns line up.
  const width = Math.max(1, ...flatten(values).map((x) => shown.number(x).length));
  const pad = (x: number) => shown.number(x).padStart(width);
  const render = (v: Nested, depth: number): string => {
    if (!Array.isArray(v)) return pad(v);
    const parts = shownIndices(v.length, shown).map((i) => (i < 0 ? "…" : v[i]));
    if (v.length === 0 || !Array.isArray(v[0])) {
      return `[${parts.map((x) => (x === "…" ? "…" : pad(x as number))).join(", ")}]`;
    }
    // Rows of a matrix on their own lines; blocks of higher dimensions apart by blank lines.
    const gap = "," + "\n".repeat(tensor.rank - depth - 1) + " ".repeat(depth + 1);
    return `[${parts.map((x) => (x === "…" ? "…" : render(x as Nested, depth + 1))).join(gap)}]`;
  };
  return `${header(tensor, options.name)}\n${render(values, 0)}`;
}

/** A tensor as a notebook display: text, and for rank ≤ 2 an HTML grid with indices. */
export class TensorView implements Displayable {
  /** @param tensor the tensor (read when the view is made, so it may be disposed afterwards) */
  constructor(tensor: tf.Tensor, readonly options: TensorFormat = {}) {
    const values = tensor.arraySync() as Nested; // read once, for both forms
    this.text = textOf(tensor, values, options);
    this.html = tensor.rank <= 2
      ? htmlGrid(tensor, values, options)
      : `<pre>${escapeXml(this.text)}</pre>`;
  }
  /** The text form. */
  readonly text: string;
  /** The HTML form. */
  readonly html: string;
  /** The bundle. */
  [DISPLAY](): MediaBundle {
    return { "text/plain": this.text, "text/html": this.html };
  }
}

/** Display a tensor readably (see {@link formatTensor}). */
export function tensorView(tensor: tf.Tensor, options: TensorFormat = {}): TensorView {
  return new TensorView(tensor, options);
}

function htmlGrid(tensor: tf.Tensor, values: Nested, options: TensorFormat): string {
  const shown = resolve(tensor, options);
  const rows =
    (tensor.rank === 0 ? [[values]] : tensor.rank === 1 ? [values] : values) as number[][];
  const cols = shownIndices(rows[0]?.length ?? 0, shown);
  const head = `<tr><th></th>${cols.map((c) => `<th>${c < 0 ? "…" : c}</th>`).join("")}</tr>`;
  const body = shownIndices(rows.length, shown).map((r) =>
    r < 0
      ? `<tr><th>…</th>${cols.map(() => "<td>…</td>").join("")}</tr>`
      : `<tr><th>${r}</th>${
        cols.map((c) => `<td>${c < 0 ? "…" : shown.number(rows[r][c])}</td>`).join("")
      }</tr>`
  ).join("");
  return `<div><code>${escapeXml(header(tensor, options.name))}</code>` +
    `<table style="font-family:monospace;text-align:right">${head}${body}</table></div>`;
}

function flatten(v: Nested): number[] {
  return Array.isArray(v) ? v.flatMap(flatten) : [v];
}
