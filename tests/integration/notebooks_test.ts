/**
 * Every notebook in notebooks/ runs through the real Deno kernel (Jupyter's nbclient), top to
 * bottom, and then a second time in the same kernel, as a learner re-running cells would.
 * Quick mode (COURSE_QUICK=1) is on, so long training cells load checkpoints or train briefly.
 */
import { basename, join } from "node:path";
import { assert } from "../assert.ts";
import { findJupyterPython, INSTALL_JUPYTER, notebooks, runNotebook } from "../../tools/jupyter.ts";
import { QUICK_ENV } from "../../src/mod.ts";

interface Output {
  output_type: string;
  ename?: string;
  evalue?: string;
  data?: Record<string, unknown>;
}
interface Cell {
  cell_type: string;
  source: string | string[];
  outputs?: Output[];
  execution_count?: number | null;
}

/**
 * Problems in an executed notebook: error outputs, show() cells without a display, and charts
 * without their PNG copy (which an untrusted notebook shows instead of the SVG).
 */
function problems(path: string): string[] {
  const cells = JSON.parse(Deno.readTextFileSync(path)).cells as Cell[];
  const found: string[] = [];
  cells.forEach((cell, i) => {
    if (cell.cell_type !== "code") return;
    const source = [cell.source].flat().join("");
    const outputs = cell.outputs ?? [];
    for (const out of outputs.filter((o) => o.output_type === "error")) {
      found.push(`cell ${i + 1}: ${out.ename}: ${out.evalue}`);
    }
    const displays = outputs.filter((o) =>
      o.output_type === "display_data" || o.output_type === "execute_result"
    );
    if (/\bshow\(/.test(source) && displays.length === 0) {
      found.push(`cell ${i + 1} calls show( but has no displayed output: ${source.split("\n")[0]}`);
    }
    for (const out of displays) {
      if (out.data?.["image/svg+xml"] !== undefined && out.data["image/png"] === undefined) {
        found.push(`cell ${i + 1} shows a chart without its PNG copy: ${source.split("\n")[0]}`);
      }
    }
  });
  return found;
}

const python = await findJupyterPython();
const all = await notebooks();

Deno.test("notebooks/ holds the course's notebooks", () => {
  assert(all.length > 0, "no NN_topic.ipynb notebook found in notebooks/");
});

for (const notebook of all) {
  Deno.test(`notebook ${basename(notebook)} is committed executed, every chart with its PNG copy`, () => {
    const cells = JSON.parse(Deno.readTextFileSync(notebook)).cells as Cell[];
    const unrun = cells.flatMap((cell, i) =>
      cell.cell_type === "code" && typeof cell.execution_count !== "number" ? [i + 1] : []
    );
    assert(unrun.length === 0, `${basename(notebook)}: cells ${unrun.join(", ")} were not run`);
    const found = problems(notebook);
    assert(found.length === 0, `${basename(notebook)} as committed:\n${found.join("\n")}`);
  });

  Deno.test(`notebook ${basename(notebook)} runs twice in one kernel with every output present`, async () => {
    assert(python !== undefined, INSTALL_JUPYTER);
    const dir = await Deno.makeTempDir({ prefix: "course-notebook-" });
    try {
      const first = join(dir, "first.ipynb");
      const second = join(dir, "second.ipynb");
      const run = await runNotebook(python, notebook, {
        out: first,
        rerunOut: second,
        env: { [QUICK_ENV]: "1" },
        quiet: true,
      });
      assert(run.code === 0, `executing ${basename(notebook)} failed:\n${run.output}`);
      for (const [pass, path] of [["first run", first], ["second run", second]]) {
        const found = problems(path);
        assert(found.length === 0, `${basename(notebook)}, ${pass}:\n${found.join("\n")}`);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
