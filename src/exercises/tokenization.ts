/**
 * Lesson 1's exercises (`notebooks/01_tokenization.ipynb`; solutions in
 * `solutions/01_tokenization.ts`): a character tokenizer by hand, UTF-8 bytes by hand, how many
 * BPE merges make a word one token, and BPE's encoding of a chunk, each checked against the
 * course's tokenizers.
 *
 * @module
 */
import { mobyDick, mobyDickSplit } from "../data/moby_dick.ts";
import { Random } from "../runtime/random.ts";
import { BpeTokenizer } from "../tokenizers/bpe.ts";
import { utf8Bytes } from "../tokenizers/bytes.ts";
import { CharTokenizer } from "../tokenizers/char.ts";
import { learnMerges } from "../tokenizers/merge_trainer.ts";
import { distinctCharacters } from "../tokenizers/unicode.ts";
import {
  eachCase,
  type Exercise,
  type ExerciseCheck,
  expectClose,
  expectEqual,
  isNotDone,
} from "./exercise.ts";

/** A character tokenizer made by hand: text → ids and ids → text. */
export interface CharCodec {
  /** The id of each character of `text`; throws on a character outside the vocabulary. */
  encode(text: string): number[];
  /** The text of `ids`. */
  decode(ids: number[]): string;
}
/** A character tokenizer for the distinct characters of `training`, numbered by code point. */
export type CharTokenizerByHand = (training: string) => CharCodec;
/** The UTF-8 bytes of `text`, as numbers from 0 to 255. */
export type Utf8ByteValues = (text: string) => number[];
/** The number of the BPE merge (1 for the first) that makes `word` one token. */
export type MergesUntilToken = (wordCounts: ReadonlyMap<string, number>, word: string) => number;
/** The tokens BPE makes of one chunk with `vocabulary` (tokens in the order they were learned). */
export type EncodeChunk = (chunk: string, vocabulary: readonly string[]) => string[];

/** A character's code point as Unicode writes it: "U+00E9". */
function codePoint(c: string): string {
  return `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** A string of 1 to 8 characters of `alphabet`, drawn from `random`. */
function randomString(random: Random, alphabet: readonly string[]): string {
  return Array.from({ length: 1 + random.int(8) }, () => alphabet[random.int(alphabet.length)])
    .join("");
}

/** Lesson 1's toy text: the word counts of section 3. */
const TOY_WORDS: ReadonlyMap<string, number> = new Map([
  ["low", 10],
  ["lower", 2],
  ["lowest", 3],
  ["newest", 6],
]);

/**
 * The number of each merge's new symbol (1 for the first), as the course's `learnMerges` learns
 * them from `wordCounts` (the most frequent pair, ties to the alphabetically first), for up to
 * `maxMerges` merges.
 */
function mergeNumbers(wordCounts: ReadonlyMap<string, number>, maxMerges: number) {
  const letters = distinctCharacters([...wordCounts.keys()].join(""));
  const { merges } = learnMerges({
    chunks: wordCounts,
    symbolsOf: (word) => [...word],
    baseVocabulary: letters,
    join: (left, right) => left + right,
    vocabularySize: letters.length + maxMerges,
  });
  const numbers = new Map<string, number>();
  merges.forEach((merge, i) => numbers.has(merge.merged) || numbers.set(merge.merged, i + 1));
  return numbers;
}

/** The words of the text, lower-cased, and how often each occurs. */
function wordCountsOf(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const word of text.toLowerCase().match(/\p{L}+/gu) ?? []) {
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return counts;
}

/** `n` random texts of 6 words over "abcd", each with a word that BPE makes one token. */
function randomCorpora(random: Random, n: number) {
  const corpora: { wordCounts: Map<string, number>; word: string; merges: number }[] = [];
  while (corpora.length < n) {
    const wordCounts = new Map<string, number>();
    for (let i = 0; i < 6; i++) {
      const word = Array.from({ length: 2 + random.int(5) }, () => "abcd"[random.int(4)]).join("");
      wordCounts.set(word, (wordCounts.get(word) ?? 0) + 1 + random.int(9));
    }
    const numbers = mergeNumbers(wordCounts, 100);
    const tokens = [...wordCounts.keys()].filter((word) => numbers.has(word));
    if (tokens.length === 0) continue;
    const word = tokens[random.int(tokens.length)];
    corpora.push({ wordCounts, word, merges: numbers.get(word)! });
  }
  return corpora;
}

/** The vocabulary of `tokenizer`, in id order. */
function vocabularyOf(tokenizer: BpeTokenizer): string[] {
  return Array.from({ length: tokenizer.vocabSize }, (_, id) => tokenizer.tokenText(id));
}

/** Lesson 1's exercises, easiest first. */
export const TOKENIZATION_EXERCISES: {
  charTokenizer: Exercise<CharTokenizerByHand>;
  utf8Bytes: Exercise<Utf8ByteValues>;
  mergesUntilToken: Exercise<MergesUntilToken>;
  encodeChunk: Exercise<EncodeChunk>;
} = {
  charTokenizer: {
    title: "Exercise 1 · a character tokenizer by hand",
    checks: (answer) => {
      const moby = mobyDick();
      const mobyChars = CharTokenizer.train(moby);
      const sentence = "Call me Ishmael.";
      const ids = mobyChars.encode(sentence);
      const wide = "a whale！🐳"; // "！" is U+FF01, "🐳" U+1F433: after it by code point
      const wideChars = CharTokenizer.train(wide);
      const random = new Random(1);
      const alphabet = [...new Set("Call me Ishmael. 🐳！—é")];
      const training = alphabet.join("");
      const reference = CharTokenizer.train(training);
      const strings = Array.from({ length: 20 }, () => randomString(random, alphabet));
      const sortHint = "number the distinct characters of the training text in code-point " +
        "order (sort with codePointAt, as section 1 does), from 0";
      return [
        {
          name: `"${sentence}" with Moby Dick's characters: ${JSON.stringify(ids)}`,
          hint: sortHint,
          run: () => expectEqual(answer(moby).encode(sentence), ids),
        },
        {
          name: `decoding ${JSON.stringify(ids)}: "${sentence}"`,
          hint: "decode looks each id up in the sorted characters and joins them",
          run: () => {
            const text = answer(moby).decode([...ids]);
            if (text !== sentence) throw new RangeError(`got "${text}", expected "${sentence}"`);
          },
        },
        {
          name: `"🐳！a" with the characters of "${wide}": ${
            JSON.stringify(wideChars.encode("🐳！a"))
          }`,
          hint: 'split text with [...text] or for…of, which keep 🐳 whole (text.split("") ' +
            "cuts it in two), and sort by codePointAt: the default sort compares UTF-16 code " +
            "units and puts 🐳 before ！",
          run: () => expectEqual(answer(wide).encode("🐳！a"), wideChars.encode("🐳！a")),
        },
        {
          name: `20 random strings of the characters of "${training}": CharTokenizer's ids, ` +
            "and decoded back",
          hint: sortHint + "; decode(encode(text)) must give the text back",
          run: () => {
            const codec = answer(training);
            eachCase(strings, (s) => JSON.stringify(s), (s) => {
              expectEqual(codec.encode(s), reference.encode(s));
              const back = codec.decode(reference.encode(s));
              if (back !== s) throw new RangeError(`decoded as "${back}"`);
            });
          },
        },
        {
          name:
            `"Call me 🦑" with the characters of "${sentence}": refused (🦑 is not one of them)`,
          hint: "a character outside the vocabulary has no id: throw an error naming it, as " +
            "CharTokenizer does, rather than return undefined or -1",
          run: () => {
            let ids: unknown;
            try {
              ids = answer(sentence).encode("Call me 🦑");
            } catch (error) {
              if (isNotDone(error)) throw error;
              return;
            }
            throw new RangeError(`got ${JSON.stringify(ids)}, expected an error`);
          },
        },
      ];
    },
  },
  utf8Bytes: {
    title: "Exercise 2 · UTF-8 bytes by hand",
    checks: (answer) => {
      const bytesOf = (text: string) => Array.from(utf8Bytes(text), (b) => b.charCodeAt(0));
      const random = new Random(2);
      // ASCII; Latin, Greek and Cyrillic; kana and Chinese; emoji: 1, 2, 3 and 4 bytes each
      const ranges: [number, number][] = [[0x20, 0x7f], [0xc0, 0x500], [0x3040, 0xa000], [
        0x1f300,
        0x1fa00,
      ]];
      const strings = Array.from(
        { length: 40 },
        () =>
          Array.from({ length: 1 + random.int(6) }, () => {
            const [start, end] = ranges[random.int(ranges.length)];
            return String.fromCodePoint(start + random.int(end - start));
          }).join(""),
      );
      const hint = "walk the code points (for…of, codePointAt), not the UTF-16 units; below " +
        "0x80: 1 byte; below 0x800: 2 (110xxxxx 10xxxxxx); below 0x10000: 3 (1110xxxx, then " +
        "two 10xxxxxx); above: 4 (11110xxx, then three 10xxxxxx)";
      const known: [string, string][] = [
        ["é", "2 bytes"],
        ["—", "3 bytes"],
        ["白鯨", "two characters of 3 bytes"],
        ["🐳", "4 bytes"],
        ["e\u0301", "e and a combining accent"],
      ];
      const checks: ExerciseCheck[] = known.map(([text, what]) => ({
        name: `"${text}" (${[...text].map(codePoint).join(" ")}, ${what}): ${
          bytesOf(text).join(" ")
        }`,
        hint,
        run: () => expectEqual(answer(text), bytesOf(text)),
      }));
      const edges = [0x7f, 0x80, 0x7ff, 0x800, 0xffff, 0x10000, 0x10ffff];
      const edgeText = String.fromCodePoint(...edges);
      checks.push({
        name: `the edges of the four sizes, ${
          edges.map((c) => codePoint(String.fromCodePoint(c))).join(" ")
        }: ${bytesOf(edgeText).join(" ")}`,
        hint,
        run: () => expectEqual(answer(edgeText), bytesOf(edgeText)),
      });
      checks.push({
        name: "40 random strings of 1-, 2-, 3- and 4-byte characters: the bytes of utf8Bytes",
        hint,
        run: () =>
          eachCase(
            strings,
            (s) => `"${s}" (${[...s].map(codePoint).join(" ")})`,
            (s) => expectEqual(answer(s), bytesOf(s)),
          ),
      });
      return checks;
    },
  },
  mergesUntilToken: {
    title: "Exercise 3 · merges until a word is one token",
    checks: (answer) => {
      const toy = mergeNumbers(TOY_WORDS, 20);
      const chapter1 = wordCountsOf(mobyDick().slice(0, mobyDick().indexOf("CHAPTER 2.")));
      const inChapter1 = mergeNumbers(chapter1, 500);
      const corpora = randomCorpora(new Random(3), 10);
      const hint = "count adjacent pairs weighted by each word's count, merge the most frequent " +
        "pair everywhere (ties: the alphabetically first, left symbol then right), and count " +
        "the merges until the new symbol is the word: section 3's loop, run until then";
      const one = (
        what: string,
        wordCounts: ReadonlyMap<string, number>,
        numbers: Map<string, number>,
        word: string,
      ) => {
        const merge = numbers.get(word);
        if (merge === undefined) {
          throw new RangeError(
            `"${word}" never becomes one token in ${what}: each known case needs a word ` +
              "that some merge makes",
          );
        }
        return {
          name: `${what}, "${word}": merge ${merge}`,
          hint,
          run: () => expectClose(answer(new Map(wordCounts), word), merge),
        };
      };
      return [
        one("section 3's toy text", TOY_WORDS, toy, "low"),
        one("section 3's toy text", TOY_WORDS, toy, "newest"),
        one("section 3's toy text", TOY_WORDS, toy, "lowest"),
        one(
          `the ${chapter1.size} distinct words of chapter 1, lower-cased`,
          chapter1,
          inChapter1,
          "the",
        ),
        one(
          `the ${chapter1.size} distinct words of chapter 1, lower-cased`,
          chapter1,
          inChapter1,
          "whale",
        ),
        {
          name: "10 random texts of six words over a, b, c, d: the merges learnMerges makes",
          hint,
          run: () =>
            eachCase(
              corpora,
              ({ wordCounts, word }) =>
                `${JSON.stringify(Object.fromEntries(wordCounts))}, "${word}"`,
              ({ wordCounts, word, merges }) =>
                expectClose(answer(new Map(wordCounts), word), merges),
            ),
        },
      ];
    },
  },
  encodeChunk: {
    title: "Exercise 4 · BPE's encoding of a chunk",
    checks: (answer) => {
      const hint = "a chunk that is a token comes out whole; otherwise start from the " +
        "characters and, while some adjacent pair joins into a token, merge the pair whose " +
        "token has the lowest id (it was learned first; the leftmost such pair on a tie), not " +
        "the longest piece or the leftmost pair";
      const toyLetters = distinctCharacters([...TOY_WORDS.keys()].join(""));
      const toyVocabulary = learnMerges({
        chunks: TOY_WORDS,
        symbolsOf: (word) => [...word],
        baseVocabulary: toyLetters,
        join: (left, right) => left + right,
        vocabularySize: toyLetters.length + 7,
      }).vocabulary;
      const { train, heldOut } = mobyDickSplit();
      const moby = BpeTokenizer.train(train.slice(0, 200_000), 500);
      const mobyVocabulary = vocabularyOf(moby);
      const known = new Set(mobyVocabulary);
      const chunks = [...new Set(moby.chunks(heldOut.slice(0, 5000)))]
        .filter((chunk) => [...chunk].every((c) => known.has(c)));
      const one = (what: string, vocabulary: readonly string[], chunk: string) => {
        const expected = new BpeTokenizer(vocabulary).tokenize(chunk);
        return {
          name: `${what}, "${chunk}": ${expected.join("│")}`,
          hint,
          run: () => expectEqual(answer(chunk, [...vocabulary]), expected),
        };
      };
      const abc = ["a", "b", "c", "bc", "ab"];
      const abcd = ["a", "b", "c", "d", "bc", "ab", "cd", "abcd"];
      return [
        one("section 3's toy vocabulary", toyVocabulary, "lowest"),
        one("section 3's toy vocabulary", toyVocabulary, "slower"),
        one(`the vocabulary ${JSON.stringify(abc)}, "bc" learned before "ab"`, abc, "abc"),
        one(`the same vocabulary`, abc, "abcabc"),
        one(
          `the vocabulary ${JSON.stringify(abcd)}, whose merges stop at a│bc│d`,
          abcd,
          "abcd",
        ),
        {
          name: `the ${chunks.length} distinct chunks of 5,000 characters of Moby Dick's ` +
            "validation text, with a BPE of 500 tokens: BpeTokenizer's tokens",
          hint,
          run: () => {
            const encoded = chunks.map((chunk) => moby.tokenize(chunk));
            eachCase(
              chunks.map((chunk, i) => ({ chunk, expected: encoded[i] })),
              ({ chunk }) => JSON.stringify(chunk),
              ({ chunk, expected }) => expectEqual(answer(chunk, mobyVocabulary), expected),
            );
          },
        },
      ];
    },
  },
};
