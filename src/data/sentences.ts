/**
 * Sentences of a prose text.
 *
 * @module
 */

/**
 * Split `text` into sentences: whitespace (line breaks included) becomes single spaces, and a
 * sentence ends at `.`, `!` or `?` (after any closing quote) followed by a space and a capital
 * letter or an opening quote. "Mr." and the like split wrongly now and then; for training
 * data that is harmless.
 */
export function splitSentences(text: string): string[] {
  return text
    .replace(/\s+/g, " ")
    .split(/(?<=[.!?]["'’”]?)\s+(?=["'‘“]?[A-Z])/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
