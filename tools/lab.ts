/**
 * `deno task lab`: open JupyterLab on the course's notebooks, or say how to get it.
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
const lab = new Deno.Command("jupyter", {
  args: ["lab", join(ROOT, "notebooks")],
  stdin: "inherit",
  stdout: "inherit",
  stderr: "inherit",
}).spawn();
Deno.exit((await lab.status).code);
