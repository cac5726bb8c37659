/**
 * `deno task lab`: open JupyterLab on the course's notebooks, or say how to get it. As root
 * (where JupyterLab refuses to start without it) it passes `--allow-root`, and says so.
 *
 * @module
 */
import { join } from "node:path";
import { capture, ROOT } from "./jupyter.ts";

const version = await capture("jupyter", ["lab", "--version"]);
if (version?.code !== 0) {
  console.error(
    "JupyterLab is not installed: install it with `pip install jupyterlab`, run `deno task setup`, " +
      "then `deno task lab` again.",
  );
  Deno.exit(1);
}
// JupyterLab refuses to start as root (a container, a CI machine) unless told it may.
const asRoot = Deno.uid() === 0;
if (asRoot) console.log("Running as root: starting JupyterLab with --allow-root.");
const lab = new Deno.Command("jupyter", {
  args: ["lab", join(ROOT, "notebooks"), ...(asRoot ? ["--allow-root"] : [])],
  stdin: "inherit",
  stdout: "inherit",
  stderr: "inherit",
}).spawn();
Deno.exit((await lab.status).code);
