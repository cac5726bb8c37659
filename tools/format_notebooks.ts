/**
 * Format the code cells of the notebooks with `deno fmt` (`deno task fmt:notebooks`), or with
 * `--check` only report the cells that are not formatted (part of `deno task check`). Other
 * arguments choose notebooks by name, as `deno task course` does: `deno task fmt:notebooks 07`.
 *
 * Why not plain `deno fmt` on the `.ipynb` files: in Deno 2.9 its check also re-wraps markdown
 * cells, which its write mode never applies, so a notebook can never pass `deno fmt --check`.
 * `notebooks/` is therefore excluded in deno.json, and code cells are formatted here one by one
 * (`deno fmt --ext=ts -`), with the same settings as the rest of the repository.
 *
 * @module
 */
import { basename } from "node:path";
import { notebooks } from "./jupyter.ts";

interface Cell {
  cell_type: string;
  source: string | string[];
}

/**
 * Format TypeScript source with deno fmt (the repository's settings), repeated until it no
 * longer changes: a second pass of deno fmt sometimes re-breaks long expressions once more.
 */
async function formatCode(source: string): Promise<string> {
  let current = source;
  for (let pass = 0; pass < 4; pass++) {
    const next = await formatOnce(current);
    if (next === current) return current;
    current = next;
  }
  return current;
}

async function formatOnce(source: string): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext=ts", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(source));
  await writer.close();
  const out = await child.output();
  if (out.code !== 0) throw new Error(new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).replace(/\n$/, ""); // cells hold no final newline
}

/** Split into lines the way Jupyter stores sources (each line keeps its "\n"). */
function toLines(text: string): string[] {
  return text.split(/(?<=\n)/);
}

/** JSON as nbformat writes it: keys sorted, one-space indent, a final newline. */
function stringifyNotebook(value: unknown): string {
  const sorted = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sorted);
    if (v !== null && typeof v === "object") {
      return Object.fromEntries(
        Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(sorted(value), null, 1) + "\n";
}

const check = Deno.args.includes("--check");
const filters = Deno.args.filter((arg) => arg !== "--check");
const chosen = (await notebooks()).filter((path) =>
  filters.length === 0 || filters.some((f) => basename(path).includes(f))
);
const unformatted: string[] = [];
for (const path of chosen) {
  const notebook = JSON.parse(await Deno.readTextFile(path));
  let changed = false;
  for (const [index, cell] of (notebook.cells as Cell[]).entries()) {
    if (cell.cell_type !== "code") continue;
    const source = [cell.source].flat().join("");
    const formatted = await formatCode(source);
    if (formatted === source) continue;
    unformatted.push(`${basename(path)}, cell ${index + 1}`);
    cell.source = toLines(formatted);
    changed = true;
  }
  if (changed && !check) await Deno.writeTextFile(path, stringifyNotebook(notebook));
}
if (check && unformatted.length > 0) {
  console.error(
    `Notebook code cells not formatted (run \`deno task fmt:notebooks\`):\n  ${
      unformatted.join("\n  ")
    }`,
  );
  Deno.exit(1);
}
console.log(
  check
    ? "Notebook code cells are formatted."
    : `Formatted ${unformatted.length} notebook code cell(s).`,
);
