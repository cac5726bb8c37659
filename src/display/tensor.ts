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

/** Format a tensor as text (synchronously reads its values). */
export function formatTensor(tensor: tf.Tensor, options: TensorFormat = {}): string {
  const digits = options.digits ?? 4;
  const maxItems = options.maxItems ?? 10;
  const edge = options.edge ?? 3;
  const isFloat = tensor.dtype === "float32";
  const number = (x: number) => isFloat ? x.toFixed(digits) : String(x);
  const values = tensor.arraySync() as Nested;
  // Pad all numbers to one width so columns line up.
  const width = Math.max(1, ...flatten(values).map((x) => number(x).length));
  const pad = (x: number) => number(x).padStart(width);
  const shorten = <T>(items: T[]): (T | "…")[] =>
    items.length > maxItems ? [...items.slice(0, edge), "…", ...items.slice(-edge)] : items;
  const render = (v: Nested, depth: number): string => {
    if (!Array.isArray(v)) return pad(v);
    const inner = shorten(v);
    if (v.length === 0 || !Array.isArray(v[0])) {
      return `[${inner.map((x) => (x === "…" ? "…" : pad(x as number))).join(", ")}]`;
    }
    // Rows of a matrix on their own lines; blocks of higher dimensions apart by blank lines.
    const gap = "," + "\n".repeat(tensor.rank - depth - 1) + " ".repeat(depth + 1);
    return `[${inner.map((x) => (x === "…" ? "…" : render(x as Nested, depth + 1))).join(gap)}]`;
  };
  return `${header(tensor, options.name)}\n${render(values, 0)}`;
}

/** A tensor as a notebook display: text, and for rank ≤ 2 an HTML grid with indices. */
export class TensorView implements Displayable {
  /** @param tensor the tensor (read when the view is made, so it may be disposed afterwards) */
  constructor(tensor: tf.Tensor, readonly options: TensorFormat = {}) {
    this.text = formatTensor(tensor, options);
    this.html = tensor.rank <= 2 ? htmlGrid(tensor, options) : `<pre>${escapeXml(this.text)}</pre>`;
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

function htmlGrid(tensor: tf.Tensor, options: TensorFormat): string {
  const digits = options.digits ?? 4;
  const maxItems = options.maxItems ?? 10;
  const edge = options.edge ?? 3;
  const rows =
    (tensor.rank === 0
      ? [[tensor.arraySync() as number]]
      : tensor.rank === 1
      ? [tensor.arraySync() as number[]]
      : tensor.arraySync()) as number[][];
  const keep = (n: number) =>
    n > maxItems
      ? [
        ...Array.from({ length: edge }, (_, i) => i),
        -1,
        ...Array.from({ length: edge }, (_, i) => n - edge + i),
      ]
      : Array.from({ length: n }, (_, i) => i);
  const fmt = (x: number) => tensor.dtype === "float32" ? x.toFixed(digits) : String(x);
  const cols = keep(rows[0]?.length ?? 0);
  const head = `<tr><th></th>${cols.map((c) => `<th>${c < 0 ? "…" : c}</th>`).join("")}</tr>`;
  const body = keep(rows.length).map((r) =>
    r < 0
      ? `<tr><th>…</th>${cols.map(() => "<td>…</td>").join("")}</tr>`
      : `<tr><th>${r}</th>${
        cols.map((c) => `<td>${c < 0 ? "…" : fmt(rows[r][c])}</td>`).join("")
      }</tr>`
  ).join("");
  return `<div><code>${escapeXml(header(tensor, options.name))}</code>` +
    `<table style="font-family:monospace;text-align:right">${head}${body}</table></div>`;
}

function flatten(v: Nested): number[] {
  return Array.isArray(v) ? v.flatMap(flatten) : [v];
}
