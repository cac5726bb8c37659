/**
 * Type-check the code of every notebook (part of `deno task check`).
 *
 * `deno check` cannot read `.ipynb`, so each notebook's code cells are joined into a
 * TypeScript file beside it (`notebooks/.check_PID_NAME.ts`, so `../src/mod.ts` resolves as in
 * the notebook), checked together, and removed again. Arguments choose notebooks by name, as
 * `deno task course` does: `deno run -A tools/check_notebooks.ts 07`.
 *
 * @module
 */
import { basename, join } from "node:path";
import { notebooks, ROOT } from "./jupyter.ts";

interface Cell {
  cell_type: string;
  source: string | string[];
}

const files: string[] = [];
try {
  const chosen = (await notebooks()).filter((path) =>
    Deno.args.length === 0 || Deno.args.some((f) => basename(path).includes(f))
  );
  for (const notebook of chosen) {
    const cells = (JSON.parse(await Deno.readTextFile(notebook)).cells as Cell[])
      .filter((cell) => cell.cell_type === "code")
      .map((cell, i) => `// --- code cell ${i + 1}\n${[cell.source].flat().join("")}`);
    const file = join(ROOT, "notebooks", `.check_${Deno.pid}_${basename(notebook, ".ipynb")}.ts`);
    await Deno.writeTextFile(file, `${cells.join("\n\n")}\n\nexport {};\n`);
    files.push(file);
  }
  const check = await new Deno.Command(Deno.execPath(), {
    args: ["check", "--quiet", ...files],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (check.code !== 0) {
    console.error("Type errors in notebook code (cell numbers count code cells only).");
    Deno.exit(1);
  }
  console.log(`Notebook code type-checks (${files.length} notebook(s)).`);
} finally {
  for (const file of files) await Deno.remove(file).catch(() => {});
}
