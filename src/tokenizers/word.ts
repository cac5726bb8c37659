/**
 * Word-level tokenization: words and punctuation marks are tokens; words missing from the
 * vocabulary become the unknown token.
 *
 * @module
 */
import { requirePositiveInteger } from "../runtime/checks.ts";
import { Tokenizer } from "./tokenizer.ts";

/** Words (letters, with inner apostrophes: "don't"), numbers, and single punctuation marks. */
export const WORD_PATTERN: RegExp = /\p{L}+(?:['’]\p{L}+)*|\p{N}+|[^\s\p{L}\p{N}]/gu;

/** The unknown token of {@link WordTokenizer}. */
export const UNKNOWN_WORD = "<unk>";

/** Options of {@link WordTokenizer.train}. */
export interface WordTrainOptions {
  /** Keep at most this many words, the most frequent (default: all). */
  maxWords?: number;
  /** Keep only words seen at least this often (default 1). */
  minCount?: number;
  /** Special tokens besides `<unk>`. */
  special?: readonly string[];
}

/**
 * Words and punctuation as tokens: "What is RAG?" → ["What", "is", "RAG", "?"]. Decoding puts
 * spaces between words but not before punctuation, so spacing is approximate: word-level
 * tokenization loses how the text was spaced.
 */
export class WordTokenizer extends Tokenizer {
  /** Saved-file type. */
  readonly type = "word";

  /** @param words the vocabulary in id order; `<unk>` is added as a special token */
  constructor(words: readonly string[], special: readonly string[] = []) {
    super(words, [UNKNOWN_WORD, ...special.filter((s) => s !== UNKNOWN_WORD)]);
  }

  /** Split text into words and punctuation marks. */
  static split(text: string): string[] {
    return text.match(WORD_PATTERN) ?? [];
  }

  /** A vocabulary of the words of `text`, most frequent first (ties alphabetical). */
  static train(text: string, options: WordTrainOptions = {}): WordTokenizer {
    const { minCount = 1, maxWords = Infinity } = options;
    requirePositiveInteger("minCount", minCount);
    if (maxWords !== Infinity) requirePositiveInteger("maxWords", maxWords);
    const counts = new Map<string, number>();
    for (const word of WordTokenizer.split(text)) counts.set(word, (counts.get(word) ?? 0) + 1);
    const words = [...counts]
      .filter(([, count]) => count >= minCount)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, maxWords)
      .map(([word]) => word);
    return new WordTokenizer(words, options.special);
  }

  /** The id of the unknown token. */
  get unknownId(): number {
    return this.specialTokens.get(UNKNOWN_WORD)!;
  }

  /** Each word's id, or the unknown token's. */
  protected encodeOrdinary(text: string): number[] {
    return WordTokenizer.split(text).map((word) => this.ids.get(word) ?? this.unknownId);
  }

  /** Words joined by spaces, with no space before closing punctuation. */
  protected override decodeIds(ids: readonly number[]): string {
    let out = "";
    for (const id of ids) {
      const token = this.tokens[id];
      out += out === "" || /^[.,!?;:)\]}'’]$/.test(token) ? token : ` ${token}`;
    }
    return out;
  }
}
