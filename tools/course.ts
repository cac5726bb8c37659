/**
 * `deno task course`: execute every notebook in order through the real Deno kernel and write
 * the executed notebooks back, so they hold fresh outputs. Stops at the first error, naming the
 * notebook, the cell and the error.
 *
 * `deno task course 03` runs only the notebooks whose names start with (or contain) "03".
 *
 * @module
 */
import { basename, relative } from "node:path";
import { findJupyterPython, INSTALL_JUPYTER, notebooks, ROOT, runNotebook } from "./jupyter.ts";

async function main(filters: string[]): Promise<number> {
  const python = await findJupyterPython();
  if (python === undefined) {
    console.error(INSTALL_JUPYTER);
    return 1;
  }
  const all = await notebooks();
  const chosen = filters.length === 0
    ? all
    : all.filter((nb) => filters.some((f) => basename(nb).includes(f)));
  if (chosen.length === 0) {
    console.error(
      `No notebook matches ${filters.join(", ")}; there are: ${
        all.map((n) => basename(n)).join(", ")
      }.`,
    );
    return 1;
  }
  const started = performance.now();
  for (const [i, notebook] of chosen.entries()) {
    console.log(`\n== [${i + 1}/${chosen.length}] ${relative(ROOT, notebook)}`);
    const { code } = await runNotebook(python, notebook);
    if (code !== 0) {
      console.error(`\nStopped: ${relative(ROOT, notebook)} failed (details above).`);
      return 1;
    }
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  console.log(`\nAll ${chosen.length} notebook(s) executed in ${seconds} s; outputs written back.`);
  return 0;
}

Deno.exit(await main(Deno.args));
