/**
 * No output is ever lost: a notebook of cells that make hundreds of outputs in bursts runs
 * through the real Deno kernel (with `tools/run_notebook.py`, as `deno task course` and the
 * notebook test run every lesson), twice in one kernel, three times over; every cell must hold
 * exactly the outputs it made, in order. The Deno kernel can report a cell finished before its
 * last outputs are sent (see `tools/run_notebook.py`); a cell of 200 bare displays loses some in
 * most runs when nothing waits for them.
 */
import { join } from "node:path";
import {
  denoNotebook,
  findJupyterPython,
  INSTALL_JUPYTER,
  runNotebook,
} from "../../tools/jupyter.ts";
import { assert, assertEquals } from "../assert.ts";

const MOD = new URL("../../src/mod.ts", import.meta.url).href;

/** Cells of the fixture notebook, each with the texts it must show, in order. */
interface FixtureCell {
  source: string;
  expected: string[];
  /** Whether it displays through `show()` (which waits for the kernel to confirm). */
  show: boolean;
}

const CELLS: FixtureCell[] = [
  {
    source:
      `import { show } from "${MOD}";\nfor (let i = 0; i < 100; i++) await show(\`out \${i}\`);`,
    expected: Array.from({ length: 100 }, (_, i) => `out ${i}`),
    show: true,
  },
  {
    source: `await show(...Array.from({ length: 50 }, (_, i) => \`batch \${i}\`));`,
    expected: Array.from({ length: 50 }, (_, i) => `batch ${i}`),
    show: true,
  },
  {
    // Bare displays with no wait at all, a large one among them: the hardest case.
    source: [
      `for (let i = 0; i < 200; i++) {`,
      `  const text = i === 100 ? "big " + "x".repeat(200_000) : \`raw \${i}\`;`,
      `  void Deno.jupyter.display({ "text/plain": text }, { raw: true });`,
      `}`,
    ].join("\n"),
    show: false,
    expected: Array.from(
      { length: 200 },
      (_, i) => i === 100 ? "big " + "x".repeat(200_000) : `raw ${i}`,
    ),
  },
  {
    // A live display updated 30 times: its one output must be the last update.
    source: [
      `import { LiveDisplay } from "${MOD}";`,
      `const live = new LiveDisplay();`,
      `for (let i = 1; i <= 30; i++) await live.update(\`update \${i}\`);`,
    ].join("\n"),
    expected: ["update 30"],
    show: true,
  },
  { source: `await show("tail");`, expected: ["tail"], show: true },
];

interface Output {
  output_type: string;
  data?: Record<string, string | string[]>;
}

/** The text/plain of each output of each cell. */
function shown(path: string): string[][] {
  const cells = JSON.parse(Deno.readTextFileSync(path)).cells as { outputs: Output[] }[];
  return cells.map((cell) =>
    cell.outputs.map((o) => [o.data?.["text/plain"] ?? o.output_type].flat().join(""))
  );
}

const python = await findJupyterPython();

/**
 * Run `cells` as a notebook three times, each time twice in one kernel, and check that every
 * cell holds exactly its expected outputs, in order.
 */
async function checkOutputs(cells: readonly FixtureCell[], sync: boolean): Promise<void> {
  assert(python !== undefined, INSTALL_JUPYTER);
  // Inside the repository, so that the kernel finds deno.json (the import map) from its folder.
  const dir = await Deno.makeTempDir({
    dir: new URL(".", import.meta.url).pathname,
    prefix: ".outputs-",
  });
  try {
    const notebook = join(dir, "outputs.ipynb");
    await Deno.writeTextFile(notebook, denoNotebook(cells.map((cell) => cell.source)));
    for (let round = 1; round <= 3; round++) {
      const [first, second] = [join(dir, "first.ipynb"), join(dir, "second.ipynb")];
      const run = await runNotebook(python, notebook, {
        out: first,
        rerunOut: second,
        quiet: true,
        sync,
      });
      assert(run.code === 0, `round ${round}: executing the fixture failed:\n${run.output}`);
      for (const [pass, path] of [["first", first], ["second", second]]) {
        shown(path).forEach((texts, i) => {
          const { expected } = cells[i];
          const where = `round ${round}, ${pass} pass, cell ${i + 1}`;
          assertEquals(
            texts.length,
            expected.length,
            `${where}: ${texts.length} of ${expected.length} outputs`,
          );
          assert(
            texts.every((t, k) => t === expected[k]),
            `${where}: outputs out of order or changed`,
          );
        });
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("the runner collects every output of every cell, in order, over six runs (350 outputs)", () =>
  checkOutputs(CELLS, true));

Deno.test("show() and live displays lose nothing even when the runner does not wait", () =>
  checkOutputs(CELLS.filter((cell) => cell.show), false));
