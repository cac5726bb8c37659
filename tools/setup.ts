/**
 * `deno task setup`: install the npm packages, and install the Deno kernel for Jupyter so
 * that it can be interrupted and prints without colour codes.
 *
 * - `deno jupyter --install --force` replaces any stale kernel spec (one pointing at an old
 *   Deno binary, say).
 * - `"interrupt_mode": "message"`: Jupyter then asks the kernel to interrupt a cell by message;
 *   the default, a SIGINT signal, kills the Deno kernel instead.
 * - `NO_COLOR=1` in the kernel's environment: plain text outputs without ANSI colour codes.
 *
 * @module
 */
import { join } from "node:path";
import { capture, findJupyterPython, INSTALL_JUPYTER, ROOT } from "./jupyter.ts";

const KERNEL = "deno";

async function main(): Promise<number> {
  const python = await findJupyterPython();
  if (python === undefined) {
    console.error(INSTALL_JUPYTER);
    return 1;
  }
  const install = await capture(Deno.execPath(), ["install", "--quiet"]);
  if (install?.code !== 0) {
    console.error(`Installing the npm packages failed (deno install):\n${install?.stderr}`);
    return 1;
  }
  const kernel = await capture(Deno.execPath(), [
    "jupyter",
    "--install",
    "--force",
    "--name",
    KERNEL,
  ]);
  if (kernel?.code !== 0) {
    console.error(`Installing the Deno kernel failed (deno jupyter --install):\n${kernel?.stderr}`);
    return 1;
  }
  // Ask Jupyter itself where the kernel spec it will use lives.
  const where = await capture(python, [
    "-c",
    `from jupyter_client.kernelspec import KernelSpecManager as M; print(M().get_kernel_spec("${KERNEL}").resource_dir)`,
  ]);
  if (where?.code !== 0) {
    console.error(`Jupyter does not see the Deno kernel after installing it:\n${where?.stderr}`);
    return 1;
  }
  const specPath = join(where.stdout.trim(), "kernel.json");
  const spec = JSON.parse(await Deno.readTextFile(specPath));
  spec.interrupt_mode = "message";
  spec.env = { ...spec.env, NO_COLOR: "1" };
  await Deno.writeTextFile(specPath, JSON.stringify(spec, null, 2) + "\n");
  console.log(
    `Deno kernel ready: ${specPath} (runs ${spec.argv[0]}; interrupt by message; NO_COLOR=1).`,
  );
  console.log(`Jupyter's Python: ${python}. Notebooks: ${join(ROOT, "notebooks")}.`);
  return 0;
}

Deno.exit(await main());
