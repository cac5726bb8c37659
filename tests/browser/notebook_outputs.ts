/**
 * What a committed notebook file shows: its outputs, and the interactive views among them.
 *
 * @module
 */

/** One output of a notebook cell, as the file stores it. */
export interface Output {
  output_type: string;
  data?: Record<string, string | string[]>;
}

/** Every output of every cell of the notebook file at `path`, in order. */
export function outputsOf(path: string): Output[] {
  const cells = JSON.parse(Deno.readTextFileSync(path)).cells as { outputs?: Output[] }[];
  return cells.flatMap((cell) => cell.outputs ?? []);
}

/** The HTML of every interactive view (`src/display/interactive.ts`) in a notebook file. */
export function viewsOf(path: string): string[] {
  return outputsOf(path).map((out) => [out.data?.["text/html"] ?? ""].flat().join(""))
    .filter((html) => html.includes("data-course-view="));
}
