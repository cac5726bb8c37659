/**
 * Character-level tokenization: every character is a token.
 *
 * @module
 */
import { describeCharacter, distinctCharacters } from "./unicode.ts";
import { Tokenizer } from "./tokenizer.ts";

/**
 * One token per character (Unicode code point). The vocabulary is the set of characters of a
 * training text, sorted by code point, so "abc" gives a = 0, b = 1, c = 2.
 */
export class CharTokenizer extends Tokenizer {
  /** Saved-file type. */
  readonly type = "char";

  /** @param characters the vocabulary, one character each, in id order */
  constructor(characters: readonly string[], special: readonly string[] = []) {
    for (const c of characters) {
      if ([...c].length !== 1) {
        throw new Error(`a character token must be one character, got ${JSON.stringify(c)}`);
      }
    }
    super(characters, special);
  }

  /** The distinct characters of `text`, sorted by code point, as a tokenizer. */
  static train(text: string, special: readonly string[] = []): CharTokenizer {
    return new CharTokenizer(distinctCharacters(text), special);
  }

  /** Each character's id; a character outside the vocabulary is an error naming it. */
  protected encodeOrdinary(text: string): number[] {
    const out: number[] = [];
    let index = 0;
    for (const c of text) {
      const id = this.ids.get(c);
      if (id === undefined) {
        throw new Error(
          `character ${describeCharacter(c)} at index ${index} is not in the vocabulary of ` +
            `${this.ids.size} characters`,
        );
      }
      out.push(id);
      index += c.length;
    }
    return out;
  }
}
