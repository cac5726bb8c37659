/**
 * Characters (Unicode code points) as tokenizers see them.
 *
 * @module
 */

/** The distinct characters of `text`, sorted by code point (as Python's `sorted(set(text))`). */
export function distinctCharacters(text: string): string[] {
  return [...new Set(text)].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
}

/** A character for error messages: `"é" (U+00E9)`. */
export function describeCharacter(c: string): string {
  const code = c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
  return `${JSON.stringify(c)} (U+${code})`;
}
