/**
 * Finding Jupyter on this machine and running notebooks through it. Used by the tasks in
 * `deno.json` (setup, course, lab) and by the notebook test.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT: string = dirname(dirname(fileURLToPath(import.meta.url)));

/** How to install what is missing, in one sentence each. */
export const INSTALL_JUPYTER = "Jupyter was not found: install it with `pip install jupyterlab` " +
  "(or, for headless runs on Debian/Ubuntu, `sudo apt install jupyter-nbconvert python3-nbclient`), " +
  "then run this again.";

/** A notebook for the Deno kernel, as JSON: one code cell per source, none run yet. */
export function denoNotebook(sources: readonly string[]): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "deno", display_name: "Deno", language: "typescript" } },
    cells: sources.map((source, i) => ({
      id: `cell-${i}`,
      cell_type: "code",
      metadata: {},
      execution_count: null,
      outputs: [],
      source,
    })),
  });
}

/** Run a command, capturing its output; undefined if the program does not exist. */
export async function capture(
  program: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string } | undefined> {
  try {
    const out = await new Deno.Command(program, { args, stdout: "piped", stderr: "piped" })
      .output();
    const text = new TextDecoder();
    return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/** Python interpreters worth trying: on PATH, the one that runs `jupyter`, and Debian's. */
async function pythonCandidates(): Promise<string[]> {
  const candidates = ["python3", "python"];
  const which = await capture("sh", ["-c", "command -v jupyter"]);
  const jupyter = which?.code === 0 ? which.stdout.trim() : "";
  if (jupyter !== "") {
    const firstLine = (await Deno.readTextFile(jupyter).catch(() => "")).split("\n")[0];
    if (firstLine.startsWith("#!")) candidates.push(firstLine.slice(2).trim().split(/\s+/)[0]);
  }
  candidates.push("/usr/bin/python3");
  return [...new Set(candidates)];
}

/** A Python interpreter that can run notebooks (has nbclient and jupyter_client), or undefined. */
export async function findJupyterPython(): Promise<string | undefined> {
  for (const python of await pythonCandidates()) {
    const probe = await capture(python, [
      "-c",
      "from nbclient import NotebookClient; import nbformat, jupyter_client",
    ]);
    if (probe?.code === 0) return python;
  }
  return undefined;
}

/** Options of {@link runNotebook}. */
export interface RunOptions {
  /** Where to write the executed notebook; default in place. */
  out?: string;
  /** Run every cell a second time in the same kernel and write that result here. */
  rerunOut?: string;
  /** Extra environment for the kernel (e.g. quick mode). */
  env?: Record<string, string>;
  /** Capture output instead of printing it. */
  quiet?: boolean;
  /**
   * Collect each cell's outputs until the kernel confirms they are all sent (default true; see
   * `tools/run_notebook.py`); false leaves outputs that arrive after a cell's idle to be lost.
   */
  sync?: boolean;
}

/** Execute one notebook with `tools/run_notebook.py`; returns its exit code and output. */
export async function runNotebook(
  python: string,
  notebook: string,
  options: RunOptions = {},
): Promise<{ code: number; output: string }> {
  const args = [join(ROOT, "tools", "run_notebook.py"), notebook];
  if (options.out) args.push("--out", options.out);
  if (options.rerunOut) args.push("--rerun-out", options.rerunOut);
  if (options.sync === false) args.push("--no-sync");
  const piped = options.quiet ? "piped" : "inherit";
  const child = new Deno.Command(python, {
    args,
    env: { PYTHONUNBUFFERED: "1", ...options.env },
    stdout: piped,
    stderr: piped,
  }).spawn();
  const status = await child.output();
  const text = new TextDecoder();
  const output = options.quiet ? text.decode(status.stdout) + text.decode(status.stderr) : "";
  return { code: status.code, output };
}

/** The course's notebooks, in teaching order (their file names start with the lesson number). */
export async function notebooks(): Promise<string[]> {
  const dir = join(ROOT, "notebooks");
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && /^\d\d_.*\.ipynb$/.test(entry.name)) names.push(entry.name);
  }
  return names.sort().map((name) => join(dir, name));
}
