/**
 * The browser of the browser tests: Debian's Chromium, driven by playwright-core.
 *
 * @module
 */
import { type Browser, chromium } from "playwright-core";
import { assert } from "../assert.ts";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

/** What the browser tests need, and how to get it. */
export const INSTALL = "The browser tests need JupyterLab (`pip install jupyterlab`), the Deno " +
  "kernel (`deno task setup`) and Chromium (`sudo apt install chromium`); .ci/run installs them.";

/** Start Chromium, headless; fail, saying what is missing, where it is not installed. */
export function launchChromium(): Promise<Browser> {
  const installed = CHROMIUM.find((path) => {
    try {
      return Deno.statSync(path).isFile;
    } catch {
      return false;
    }
  });
  assert(installed !== undefined, `Chromium was not found (${CHROMIUM.join(", ")}). ${INSTALL}`);
  return chromium.launch({
    executablePath: installed,
    args: Deno.uid() === 0 ? ["--no-sandbox"] : [],
  });
}
