/**
 * WordPiece, the tokenizer of BERT: words are split into the longest pieces found in the
 * vocabulary, from the left; a piece inside a word is written with "##" in front
 * ("playing" → "play", "##ing").
 *
 * Training also merges pairs, but picks the pair that occurs together most often *relative to
 * how often its parts occur*, count(ab) / (count(a) · count(b)), rather than the most frequent
 * pair. A word that cannot be written with the vocabulary becomes `[UNK]` as a whole.
 *
 * @module
 */
import { requirePositiveInteger } from "../runtime/checks.ts";
import { countChunks, learnMerges, MAX_VOCABULARY_SIZE, type Merge } from "./merge_trainer.ts";
import { Tokenizer } from "./tokenizer.ts";

/** BERT's special tokens: padding, unknown, classification, separator, mask. */
export const WORDPIECE_SPECIAL: readonly string[] = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

/** Words (letters and digits) and single punctuation marks. */
export const WORDPIECE_WORDS: RegExp = /[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu;

/** Words longer than this (in characters) become `[UNK]` without being searched. */
const MAX_WORD_CHARS = 100;

/** Options of a {@link WordPieceTokenizer}. */
export interface WordPieceOptions {
  /** Lower-case text before splitting (an "uncased" model; default true). */
  lowercase?: boolean;
  /** Special tokens; default {@link WORDPIECE_SPECIAL}. Must include "[UNK]". */
  special?: readonly string[];
}

/** Options of {@link WordPieceTokenizer.train}. */
export interface WordPieceTrainOptions extends WordPieceOptions {
  /**
   * Pairs seen fewer times are never merged (default 20). The likelihood score favours pairs of
   * rare symbols (two letters that only ever meet each other score highest), so without a floor
   * the vocabulary fills with pieces of rare words before common words are whole.
   */
  minCount?: number;
  /** Called after each merge. */
  onMerge?: (merge: Merge, vocabularySize: number) => void;
}

/** A WordPiece tokenizer. Train one with {@link WordPieceTokenizer.train}. */
export class WordPieceTokenizer extends Tokenizer {
  /** Saved-file type. */
  readonly type = "wordpiece";
  /** Whether text is lower-cased first. */
  readonly lowercase: boolean;

  /** @param pieces word-initial pieces and "##" continuation pieces, in id order */
  constructor(pieces: readonly string[], options: WordPieceOptions = {}) {
    const special = options.special ?? WORDPIECE_SPECIAL;
    if (!special.includes("[UNK]")) {
      throw new Error('WordPiece special tokens must include "[UNK]"');
    }
    super(pieces, special);
    this.lowercase = options.lowercase ?? true;
  }

  /** The words of `text` (lower-cased if `lowercase`). */
  static words(text: string, lowercase = true): string[] {
    return (lowercase ? text.toLowerCase() : text).match(WORDPIECE_WORDS) ?? [];
  }

  /**
   * Learn `vocabSize` tokens (special tokens included) from `text`: every character as a
   * word-initial piece and as a "##" piece, then likelihood-scored merges.
   */
  static train(
    text: string,
    vocabSize: number,
    options: WordPieceTrainOptions = {},
  ): WordPieceTokenizer {
    requirePositiveInteger("vocabSize", vocabSize, MAX_VOCABULARY_SIZE);
    const lowercase = options.lowercase ?? true;
    const special = options.special ?? WORDPIECE_SPECIAL;
    const chunks = countChunks(lowercase ? text.toLowerCase() : text, WORDPIECE_WORDS);
    const symbolsOf = (word: string) => Array.from(word, (c, i) => (i === 0 ? c : `##${c}`));
    const base = new Set<string>();
    for (const word of chunks.keys()) for (const symbol of symbolsOf(word)) base.add(symbol);
    const { vocabulary } = learnMerges({
      chunks,
      symbolsOf,
      baseVocabulary: [...base].sort(),
      join: (left, right) => left + right.replace(/^##/, ""),
      vocabularySize: vocabSize - special.length,
      score: "likelihood",
      minCount: options.minCount ?? 20,
      onMerge: options.onMerge,
    });
    return new WordPieceTokenizer(vocabulary, { lowercase, special });
  }

  /** The id of `[UNK]`. */
  get unknownId(): number {
    return this.specialTokens.get("[UNK]")!;
  }

  /** Each word as its longest-match pieces, or `[UNK]`. */
  protected encodeOrdinary(text: string): number[] {
    const ids: number[] = [];
    for (const word of WordPieceTokenizer.words(text, this.lowercase)) {
      for (const id of this.pieces(word)) ids.push(id);
    }
    return ids;
  }

  /** Greedy longest-match-first: the longest prefix in the vocabulary, then the rest as "##…". */
  private pieces(word: string): number[] {
    const chars = Array.from(word);
    if (chars.length > MAX_WORD_CHARS) return [this.unknownId];
    const out: number[] = [];
    let start = 0;
    while (start < chars.length) {
      let found: number | undefined;
      let end = chars.length;
      for (; end > start; end--) {
        const piece = (start > 0 ? "##" : "") + chars.slice(start, end).join("");
        found = this.ids.get(piece);
        if (found !== undefined) break;
      }
      if (found === undefined) return [this.unknownId];
      out.push(found);
      start = end;
    }
    return out;
  }

  /** Pieces joined: "##" pieces glued to the one before, other tokens apart by a space. */
  protected override decodeIds(ids: readonly number[]): string {
    return ids.map((id) => this.tokens[id]).join(" ").replace(/ ##/g, "");
  }

  /** Whether text is lower-cased is saved with the vocabulary. */
  protected override options(): Record<string, unknown> {
    return { lowercase: this.lowercase };
  }
}
