/**
 * Byte-pair encoding (BPE) over characters: a vocabulary learned from text by merging the most
 * frequent adjacent pair of symbols, again and again.
 *
 * Take "low low low lower lower lowest": the pair "l o" occurs 6 times, so "lo" becomes a token;
 * then "lo w" (6 times) gives "low"; then "low e" (3 times) gives "lowe", and so on. Frequent
 * words end up as single tokens, rare words as a few pieces, and any word made of known
 * characters can still be written.
 *
 * Text is first cut into chunks ({@link CHUNK_PATTERN}: a word with the space before it, a
 * number, a run of punctuation, whitespace), and merges never cross a chunk's edge.
 *
 * @module
 */
import { requirePositiveInteger } from "../runtime/checks.ts";
import { describeCharacter, distinctCharacters } from "./unicode.ts";
import { countChunks, learnMerges, MAX_VOCABULARY_SIZE, type Merge } from "./merge_trainer.ts";
import { mergePairs } from "./pair_merge.ts";
import { Tokenizer } from "./tokenizer.ts";

/** Default chunking: an optional space plus letters, or digits, or other marks; whitespace. */
export const CHUNK_PATTERN: RegExp = / ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** Options of a {@link BpeTokenizer}. */
export interface BpeOptions {
  /** Special tokens, added after the vocabulary. */
  special?: readonly string[];
  /** How text is cut into chunks (a global, unicode regex); default {@link CHUNK_PATTERN}. */
  pattern?: RegExp;
}

/** Options of {@link BpeTokenizer.train}. */
export interface BpeTrainOptions extends BpeOptions {
  /** Called after each merge (for showing the merges, or progress). */
  onMerge?: (merge: Merge, vocabularySize: number) => void;
}

const CACHE_LIMIT = 200_000;

/** A BPE tokenizer over characters. Train one with {@link BpeTokenizer.train}. */
export class BpeTokenizer extends Tokenizer {
  /** Saved-file type. */
  readonly type: string = "bpe";
  /** How text is cut into chunks before merging. */
  readonly pattern: RegExp;
  #cache = new Map<string, number[]>();

  /** @param tokens base symbols, then merged tokens, in the order they were learned */
  constructor(tokens: readonly string[], options: BpeOptions = {}) {
    super(tokens, options.special);
    this.pattern = new RegExp((options.pattern ?? CHUNK_PATTERN).source, "gu");
  }

  /**
   * Learn a vocabulary of `vocabSize` tokens (special tokens included) from `text`: its distinct
   * characters, then merges of the most frequent pairs.
   */
  static train(text: string, vocabSize: number, options: BpeTrainOptions = {}): BpeTokenizer {
    const vocabulary = learnBpeVocabulary(text, vocabSize, options, {
      pattern: options.pattern ?? CHUNK_PATTERN,
      symbolsOf: (chunk) => Array.from(chunk),
      baseVocabulary: distinctCharacters(text),
    });
    return new BpeTokenizer(vocabulary, options);
  }

  /** The chunks `text` is cut into before merging. */
  chunks(text: string): string[] {
    return Array.from(text.matchAll(this.pattern), (m) => m[0]);
  }

  /** Encode chunk by chunk (each distinct chunk is remembered). */
  protected encodeOrdinary(text: string): number[] {
    const ids: number[] = [];
    for (const [chunk] of text.matchAll(this.pattern)) {
      let encoded = this.#cache.get(chunk);
      if (encoded === undefined) {
        encoded = this.encodeChunk(chunk);
        if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
        this.#cache.set(chunk, encoded);
      }
      for (const id of encoded) ids.push(id);
    }
    return ids;
  }

  /**
   * One chunk: if it is a token, that token; otherwise split it into base symbols and merge,
   * each time, the adjacent pair whose merged token was learned first (has the lowest id),
   * until no adjacent pair forms a token (`pair_merge.ts`: near-linear in the chunk's length).
   */
  protected encodeChunk(chunk: string): number[] {
    const whole = this.ids.get(chunk);
    if (whole !== undefined) return [whole];
    // Its characters (its bytes, for a byte-level subclass), as ids.
    const symbols = Array.from(chunk, (part) => {
      const id = this.ids.get(part);
      if (id === undefined) {
        throw new Error(
          `character ${describeCharacter(part)} in ${JSON.stringify(chunk)} is not in the ` +
            `vocabulary; a character-level BPE can only write characters it was trained on`,
        );
      }
      return id;
    });
    return mergePairs(symbols, this.ids, this.tokens);
  }

  /** The chunking pattern is saved with the vocabulary. */
  protected override options(): Record<string, unknown> {
    return { pattern: this.pattern.source };
  }
}

/** How a BPE variant cuts and spells its training text. */
export interface BpeAlphabet {
  /** How text is cut into chunks. */
  pattern: RegExp;
  /** The base symbols of a chunk (characters, or bytes). */
  symbolsOf: (chunk: string) => string[];
  /** The base vocabulary (every symbol `symbolsOf` can produce). */
  baseVocabulary: readonly string[];
}

/**
 * Learn a BPE vocabulary of `vocabSize` tokens, special tokens included: the base vocabulary,
 * then merged symbols, most frequent pair first. Shared by character- and byte-level BPE.
 */
export function learnBpeVocabulary(
  text: string,
  vocabSize: number,
  options: BpeTrainOptions,
  alphabet: BpeAlphabet,
): string[] {
  requirePositiveInteger("vocabSize", vocabSize, MAX_VOCABULARY_SIZE);
  return learnMerges({
    chunks: countChunks(text, new RegExp(alphabet.pattern.source, "gu")),
    symbolsOf: alphabet.symbolsOf,
    baseVocabulary: alphabet.baseVocabulary,
    join: (left, right) => left + right,
    vocabularySize: vocabSize - (options.special?.length ?? 0),
    onMerge: options.onMerge,
  }).vocabulary;
}
