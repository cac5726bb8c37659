/**
 * Learning merges from pair frequencies — the training loop of BPE and WordPiece.
 *
 * The text is cut into chunks (roughly, words), each chunk into base symbols (characters or
 * bytes). Then, again and again: count every adjacent pair of symbols over all chunks, pick the
 * best pair, make it one new symbol, and replace it everywhere. BPE picks the most frequent pair;
 * WordPiece the pair whose count is largest relative to the counts of its two parts.
 *
 * Recounting every pair after each merge would cost a pass over the whole text per merge. Here
 * each distinct chunk is kept once with its frequency, and a merge updates only the counts of
 * the chunks that contain the merged pair: the pairs around each merge site go away and the new
 * ones are added.
 *
 * @module
 */
import { requirePositiveInteger } from "../runtime/checks.ts";

/** How the best pair is chosen. */
export type MergeScore =
  /** BPE: the most frequent pair. */
  | "count"
  /** WordPiece: count(ab) / (count(a) · count(b)), i.e. how much more often a and b meet than chance. */
  | "likelihood";

/** One learned merge. */
export interface Merge {
  /** Left symbol. */
  left: string;
  /** Right symbol. */
  right: string;
  /** The new symbol. */
  merged: string;
  /** How often the pair occurred when it was merged. */
  count: number;
}

/** Settings of {@link learnMerges}. */
export interface MergeTraining {
  /** Distinct chunks of the training text and how often each occurs. */
  chunks: ReadonlyMap<string, number>;
  /** The base symbols of a chunk (its characters, say). */
  symbolsOf: (chunk: string) => string[];
  /** The starting vocabulary; every base symbol of every chunk must be in it. */
  baseVocabulary: readonly string[];
  /** The text of the symbol made by merging two symbols. */
  join: (left: string, right: string) => string;
  /** Stop when the vocabulary has this many symbols (or no pair is left). */
  vocabularySize: number;
  /** How the best pair is chosen; default "count". */
  score?: MergeScore;
  /** Pairs seen fewer times than this are never merged (default 2). */
  minCount?: number;
  /** Called after each merge, e.g. to show progress. */
  onMerge?: (merge: Merge, vocabularySize: number) => void;
}

/** Result of {@link learnMerges}. */
export interface LearnedMerges {
  /** Base vocabulary followed by merged symbols, in the order they were learned. */
  vocabulary: string[];
  /** The merges, in order. */
  merges: Merge[];
}

const KEY = 2 ** 21; // pair key = left * KEY + right; ids stay below 2^21

/** The largest vocabulary merges can be learned for (ids stay below 2^21). */
export const MAX_VOCABULARY_SIZE = KEY - 1;

/** Learn merges until the vocabulary reaches the size asked for (see the module doc). */
export function learnMerges(training: MergeTraining): LearnedMerges {
  const vocabulary = [...training.baseVocabulary];
  const idOf = new Map(vocabulary.map((symbol, id) => [symbol, id]));
  const minCount = training.minCount ?? 2;
  const likelihood = training.score === "likelihood";
  requirePositiveInteger("vocabularySize", training.vocabularySize, MAX_VOCABULARY_SIZE);
  requirePositiveInteger("minCount", minCount);

  // Distinct chunks as arrays of symbol ids, with their frequencies.
  const words: number[][] = [];
  const freqs: number[] = [];
  for (const [chunk, freq] of training.chunks) {
    words.push(
      training.symbolsOf(chunk).map((symbol) => {
        const id = idOf.get(symbol);
        if (id === undefined) {
          throw new Error(
            `symbol ${JSON.stringify(symbol)} of chunk ${
              JSON.stringify(chunk)
            } is not in the base vocabulary`,
          );
        }
        return id;
      }),
    );
    freqs.push(freq);
  }

  const pairCounts = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>(); // may hold stale entries; checked on use
  const symbolCounts: number[] = new Array(vocabulary.length).fill(0);
  const addPairs = (w: number, sign: 1 | -1) => {
    const word = words[w];
    const f = sign * freqs[w];
    for (let i = 0; i < word.length; i++) {
      symbolCounts[word[i]] += f;
      if (i + 1 === word.length) break;
      const key = word[i] * KEY + word[i + 1];
      const count = (pairCounts.get(key) ?? 0) + f;
      if (count === 0) pairCounts.delete(key);
      else pairCounts.set(key, count);
      if (sign > 0) {
        let set = pairWords.get(key);
        if (set === undefined) pairWords.set(key, set = new Set());
        set.add(w);
      }
    }
  };
  words.forEach((_, w) => addPairs(w, 1));

  const alphabeticallyBefore = (key: number, other: number) => {
    const [a, b] = [vocabulary[Math.floor(key / KEY)], vocabulary[Math.floor(other / KEY)]];
    if (a !== b) return a < b;
    return vocabulary[key % KEY] < vocabulary[other % KEY];
  };
  const merges: Merge[] = [];
  while (vocabulary.length < training.vocabularySize) {
    let bestKey = -1;
    let bestScore = -Infinity;
    let bestCount = 0;
    for (const [key, count] of pairCounts) {
      if (count < minCount) continue;
      const score = likelihood
        ? count / (symbolCounts[Math.floor(key / KEY)] * symbolCounts[key % KEY])
        : count;
      // Ties go to the alphabetically first pair (left, then right), so training is deterministic.
      if (score > bestScore || (score === bestScore && alphabeticallyBefore(key, bestKey))) {
        bestKey = key;
        bestScore = score;
        bestCount = count;
      }
    }
    if (bestKey < 0) break;
    const left = Math.floor(bestKey / KEY);
    const right = bestKey % KEY;
    const merged = training.join(vocabulary[left], vocabulary[right]);
    let id = idOf.get(merged);
    if (id === undefined) {
      id = vocabulary.length;
      vocabulary.push(merged);
      idOf.set(merged, id);
      symbolCounts.push(0);
    }
    for (const w of pairWords.get(bestKey) ?? []) {
      const word = words[w];
      if (!containsPair(word, left, right)) continue;
      addPairs(w, -1);
      const out: number[] = [];
      for (let i = 0; i < word.length; i++) {
        if (i + 1 < word.length && word[i] === left && word[i + 1] === right) {
          out.push(id);
          i++;
        } else {
          out.push(word[i]);
        }
      }
      words[w] = out;
      addPairs(w, 1);
    }
    pairCounts.delete(bestKey);
    pairWords.delete(bestKey);
    const merge = { left: vocabulary[left], right: vocabulary[right], merged, count: bestCount };
    merges.push(merge);
    training.onMerge?.(merge, vocabulary.length);
  }
  return { vocabulary, merges };
}

function containsPair(word: readonly number[], left: number, right: number): boolean {
  for (let i = 0; i + 1 < word.length; i++) {
    if (word[i] === left && word[i + 1] === right) return true;
  }
  return false;
}

/** Cut `text` into chunks with `pattern` (a global regex) and count each distinct chunk. */
export function countChunks(text: string, pattern: RegExp): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [chunk] of text.matchAll(pattern)) counts.set(chunk, (counts.get(chunk) ?? 0) + 1);
  return counts;
}
