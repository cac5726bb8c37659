/**
 * Files inside the npm packages that ship the course's data sets.
 *
 * Data sets come from npm packages only, never from a download: the packages are pinned in
 * `deno.json` and installed into `node_modules/` with everything else.
 *
 * @module
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

/** The folder an installed npm package lives in. */
export function packageDir(name: string): string {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    throw new Error(
      `The npm package ${name} is not installed; it is pinned in deno.json: run \`deno install\`.`,
    );
  }
}

/** Read a UTF-8 text file of an installed npm package (`path` relative to the package root). */
export function readPackageText(name: string, path: string): string {
  return Deno.readTextFileSync(join(packageDir(name), path));
}
