/**
 * A labelled heatmap of a matrix: attention weights, positional encodings, similarity tables.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import type * as tf from "@tensorflow/tfjs";
import { plot } from "./plot.ts";
import type { SvgView } from "./svg.ts";

/** Options of {@link heatmap}. */
export interface HeatmapOptions {
  /** Labels of the rows, top to bottom (e.g. query tokens); default the row numbers. */
  rowLabels?: readonly string[];
  /** Labels of the columns, left to right (e.g. key tokens); default the column numbers. */
  colLabels?: readonly string[];
  /** Title above the chart. */
  title?: string;
  /** Subtitle under the title. */
  subtitle?: string;
  /** Axis label of the rows. */
  rowLabel?: string;
  /** Axis label of the columns. */
  colLabel?: string;
  /** Label of the colour legend (e.g. "weight"); default none. */
  valueLabel?: string;
  /** Colour scheme name of Plot (d3-scale-chromatic), default "blues". */
  scheme?: Plot.ColorScheme;
  /** Value range of the colours, default [min, max] of the matrix. */
  domain?: [number, number];
  /** Write each value in its cell with this many decimals; default: only for small matrices. */
  digits?: number | false;
  /** Side of one cell in pixels; default fits 640 px, between 6 and 36. */
  cellSize?: number;
  /** Draw a colour legend (default true). */
  legend?: boolean;
}

/**
 * Draw a matrix as coloured cells, rows top to bottom and columns left to right.
 *
 * Labels may repeat (a sentence with "the" twice): rows and columns are placed by index.
 *
 * @param matrix a rank-2 tensor or an array of equal-length rows
 */
export function heatmap(
  matrix: tf.Tensor | readonly (readonly number[])[],
  options: HeatmapOptions = {},
): SvgView {
  const rows = toRows(matrix);
  const nRows = rows.length;
  const nCols = rows[0]?.length ?? 0;
  if (nRows === 0 || nCols === 0) throw new RangeError("heatmap needs a non-empty matrix");
  const rowLabels = labels(options.rowLabels, nRows, "rowLabels");
  const colLabels = labels(options.colLabels, nCols, "colLabels");
  const cells = rows.flatMap((row, r) => row.map((value, c) => ({ r, c, value })));
  const values = cells.map((d) => d.value);
  const domain = options.domain ?? [Math.min(...values), Math.max(...values)];
  const cell = options.cellSize ?? Math.max(6, Math.min(36, Math.floor(560 / Math.max(nCols, 1))));
  const digits = options.digits ?? (nRows * nCols <= 100 && cell >= 28 ? 2 : false);
  const longest = (xs: string[]) => Math.max(...xs.map((s) => s.length));
  const marginLeft = 12 + 6 * longest(rowLabels) + (options.rowLabel ? 14 : 0);
  const marginTop = 12 + 6 * Math.min(longest(colLabels), 12) + (options.colLabel ? 14 : 0);
  const scheme = options.scheme ?? "blues";
  const marks: Plot.Markish[] = [
    Plot.cell(cells, { x: "c", y: "r", fill: "value", inset: cell >= 12 ? 0.5 : 0 }),
  ];
  if (digits !== false) {
    const colour = Plot.scale({ color: { type: "linear", scheme, domain } });
    const widest = Math.max(...values.map((v) => v.toFixed(digits).length));
    marks.push(
      Plot.text(cells, {
        x: "c",
        y: "r",
        text: (d: { value: number }) => d.value.toFixed(digits),
        // Dark text on light cells, light on dark ones, whatever the scheme (diverging too).
        fill: (d: { value: number }) => inkFor(String(colour.apply(d.value))),
        // Small enough that the widest number fits its cell (about 0.6 em a character).
        fontSize: Math.min(9, Math.floor((cell - 4) / (0.6 * widest))),
      }),
    );
  }
  return plot({
    title: options.title,
    subtitle: options.subtitle,
    width: marginLeft + cell * nCols + 10,
    height: marginTop + cell * nRows + 10,
    marginLeft,
    marginTop,
    marginRight: 10,
    marginBottom: 10,
    x: {
      type: "band",
      domain: colLabels.map((_, i) => i),
      axis: "top",
      tickFormat: (i: number) => colLabels[i],
      tickRotate: longest(colLabels) > 2 && nCols > 4 ? -45 : 0,
      label: options.colLabel ?? null,
    },
    y: {
      type: "band",
      domain: rowLabels.map((_, i) => i),
      tickFormat: (i: number) => rowLabels[i],
      label: options.rowLabel ?? null,
    },
    color: {
      type: "linear",
      scheme,
      domain,
      legend: options.legend ?? true,
      label: options.valueLabel ?? null,
    },
    marks,
  });
}

/**
 * "black" or "white", whichever contrasts more with the CSS colour `rgb(r, g, b)` or `#rrggbb`
 * (by its relative luminance L, as WCAG defines it: black wins above L ≈ 0.18).
 */
export function inkFor(css: string): "black" | "white" {
  const rgb = /^rgb\((\d+),\s*(\d+),\s*(\d+)\)$/.exec(css)?.slice(1).map(Number) ??
    /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(css)?.slice(1).map((h) => parseInt(h, 16));
  if (rgb === undefined) return "black";
  const [r, g, b] = rgb.map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) ? "black" : "white";
}

function toRows(matrix: tf.Tensor | readonly (readonly number[])[]): number[][] {
  if (Array.isArray(matrix)) {
    const rows = matrix as readonly (readonly number[])[];
    const width = rows[0]?.length ?? 0;
    rows.forEach((row, i) => {
      if (row.length !== width) {
        throw new RangeError(
          `heatmap rows must have equal lengths: row 0 has ${width}, row ${i} has ${row.length}`,
        );
      }
    });
    return rows.map((row) => [...row]);
  }
  const tensor = matrix as tf.Tensor;
  if (tensor.rank !== 2) {
    throw new RangeError(`heatmap needs a rank-2 tensor, got shape [${tensor.shape}]`);
  }
  return tensor.arraySync() as number[][];
}

function labels(given: readonly string[] | undefined, n: number, name: string): string[] {
  if (given === undefined) return Array.from({ length: n }, (_, i) => String(i));
  if (given.length !== n) {
    throw new RangeError(`${name} has ${given.length} labels but the matrix has ${n}`);
  }
  return [...given];
}
