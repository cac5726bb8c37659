/**
 * How word-like generated text is: the share of its words that occur in a reference text (the
 * training text). Random characters make almost no real words; a language model that has
 * learned spelling makes mostly real ones. A number to check "it writes words" against.
 *
 * @module
 */

/** The words of `text`: runs of letters (and inner apostrophes), lower-cased. */
export function wordsOf(text: string): string[] {
  return (text.toLowerCase().match(/\p{L}+(?:['’]\p{L}+)*/gu) ?? []);
}

/** The set of distinct words of `text`, to pass to {@link knownWordShare}. */
export function vocabularyOf(text: string): Set<string> {
  return new Set(wordsOf(text));
}

/**
 * The share (0 to 1) of the words of `generated` that are in `vocabulary`; 0 when it has no
 * words at all.
 */
export function knownWordShare(generated: string, vocabulary: ReadonlySet<string>): number {
  const words = wordsOf(generated);
  if (words.length === 0) return 0;
  return words.filter((w) => vocabulary.has(w)).length / words.length;
}
