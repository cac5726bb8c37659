/**
 * Rows of records as a table: HTML in the notebook, aligned text elsewhere.
 *
 * @module
 */
import { DISPLAY, type Displayable, escapeXml, type MediaBundle } from "./bundle.ts";

/** Options of {@link table}. */
export interface TableOptions {
  /** Columns to show, in order; default the keys of the first row. */
  columns?: readonly string[];
  /** A caption above the table. */
  caption?: string;
  /** Show at most this many rows, then a "… N more rows" line (default 50). */
  maxRows?: number;
  /** Decimals of non-integer numbers (default 4). Integers of 5 or more digits get thousands separators. */
  digits?: number;
}

/** A table display. Build it with {@link table}. */
export class TableView implements Displayable {
  /** Column names. */
  readonly columns: readonly string[];
  /** Cell texts, row by row (only the rows shown). */
  readonly cells: readonly (readonly string[])[];
  /** Rows not shown. */
  readonly hidden: number;

  constructor(rows: readonly Record<string, unknown>[], readonly options: TableOptions = {}) {
    this.columns = options.columns ?? Object.keys(rows[0] ?? {});
    const maxRows = options.maxRows ?? 50;
    const digits = options.digits ?? 4;
    this.cells = rows.slice(0, maxRows).map((row) =>
      this.columns.map((c) => formatCell(row[c], digits))
    );
    this.hidden = Math.max(0, rows.length - maxRows);
  }

  /** Aligned plain text. */
  text(): string {
    const widths = this.columns.map((c, i) =>
      Math.max(c.length, ...this.cells.map((r) => r[i].length))
    );
    const line = (cells: readonly string[]) =>
      cells.map((s, i) => s.padEnd(widths[i])).join("  ").trimEnd();
    const out = [
      line(this.columns),
      widths.map((w) => "-".repeat(w)).join("  "),
      ...this.cells.map(line),
    ];
    if (this.hidden > 0) out.push(`… ${this.hidden} more rows`);
    return (this.options.caption ? `${this.options.caption}\n` : "") + out.join("\n");
  }

  /** An HTML table. */
  html(): string {
    const head = this.columns.map((c) => `<th>${escapeXml(c)}</th>`).join("");
    const body = this.cells.map((r) =>
      `<tr>${r.map((s) => `<td>${escapeXml(s)}</td>`).join("")}</tr>`
    ).join("");
    const more = this.hidden > 0 ? `<p>… ${this.hidden} more rows</p>` : "";
    const caption = this.options.caption
      ? `<caption>${escapeXml(this.options.caption)}</caption>`
      : "";
    return `<table>${caption}<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>${more}`;
  }

  /** The bundle. */
  [DISPLAY](): MediaBundle {
    return { "text/html": this.html(), "text/plain": this.text() };
  }
}

/**
 * Show rows of records as a table.
 *
 * @example
 * await show(table([{ token: "the", count: 14 }, { token: "whale", count: 9 }]));
 */
export function table(
  rows: readonly Record<string, unknown>[],
  options: TableOptions = {},
): TableView {
  return new TableView(rows, options);
}

function formatCell(value: unknown, digits: number): string {
  if (typeof value === "number") {
    if (!Number.isInteger(value)) return value.toFixed(digits);
    return Math.abs(value) >= 10_000 ? value.toLocaleString("en-US") : String(value);
  }
  if (typeof value === "string") return visibleWhitespace(value);
  if (value === undefined || value === null) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** Newlines, tabs and carriage returns written as `\n`, `\t`, `\r`, so a newline token is visible. */
function visibleWhitespace(text: string): string {
  return text.replace(/[\n\t\r]/g, (c) => (c === "\n" ? "\\n" : c === "\t" ? "\\t" : "\\r"));
}
