/**
 * Lesson 9's exercises (`notebooks/09_encoder_decoder.ipynb`; solutions in
 * `solutions/09_encoder_decoder.ts`): teacher forcing's rows, the phoneme and word error rates,
 * the edit distance by hand, and beam search by hand on a table of next-token probabilities,
 * each checked against the course's own `seq2seqBatch`, `errorRates`, `editDistance` and beam
 * search.
 *
 * @module
 */
import { type BeamOptions, beamSearchOver } from "../generation/seq2seq_decode.ts";
import { editDistance, type ErrorRates, errorRates } from "../metrics/edit_distance.ts";
import { Random } from "../runtime/random.ts";
import { disposeSeq2SeqBatch, seq2seqBatch, type Seq2SeqIds } from "../training/seq2seq_batches.ts";
import {
  everyCase,
  type Exercise,
  expectClose,
  expectEqual,
  expectRowsClose,
  labelled,
} from "./exercise.ts";

/** The decoder's input and expected output rows for a batch of targets, padded. */
export interface TeacherForcingBatch {
  /** `<start>` and each target, padded to one length. */
  targetIn: number[][];
  /** Each target and `<end>`, padded to the same length. */
  targetOut: number[][];
}
/** Teacher forcing's rows for `targets`, with the special ids `ids`. */
export type TeacherForcingRows = (targets: number[][], ids: Seq2SeqIds) => TeacherForcingBatch;
/** Phoneme and word error rates of `predicted` against `reference`, pair by pair. */
export type ErrorRatesByHand = (predicted: string[][], reference: string[][]) => ErrorRates;
/** The fewest insertions, deletions and substitutions that turn `a` into `b`. */
export type EditDistanceByHand = (a: string[], b: string[]) => number;
/** The log-probabilities of the next token after `prefix` (which starts with `<start>`). */
export type PrefixLogProbs = (prefix: readonly number[]) => readonly number[];
/** Beam search's best output (without `<start>` and `<end>`) under the table `next`. */
export type BeamSearchByHand = (next: PrefixLogProbs, options: BeamOptions) => number[];

/** The toy table of exercise 4: <end> 0, A 1, B 2, <start> 3; what follows each prefix. */
const TOY: Record<string, readonly number[]> = {
  "3": [0.1, 0.5, 0.4],
  "3,1": [0.3, 0.45, 0.25],
  "3,2": [0.9, 0.06, 0.04],
};
/** After any other prefix. */
const TOY_ELSE = [0.5, 0.3, 0.2];

/** Exercise 4's toy table as log-probabilities, the way a decoder gives them. */
export const BEAM_TOY_TABLE: PrefixLogProbs = (prefix) =>
  (TOY[prefix.join()] ?? TOY_ELSE).map(Math.log);

/**
 * A random table over `size` tokens (`<end>` is 0; `<start>`, `size`, is never written): each
 * prefix's row drawn from a generator seeded by the prefix, so it is the same whoever asks first.
 */
function randomTable(seed: number, size: number): PrefixLogProbs {
  const rows = new Map<string, number[]>();
  return (prefix) => {
    const key = prefix.join();
    let row = rows.get(key);
    if (row === undefined) {
      let hash = seed >>> 0;
      for (const c of key) hash = Math.imul(hash ^ c.charCodeAt(0), 16777619) >>> 0;
      const random = new Random(hash);
      const e = Array.from(
        { length: size },
        (_, v) => Math.exp(1.5 * random.normal() + (v ? 0 : 0.5)),
      );
      const total = e.reduce((a, b) => a + b, 0);
      row = e.map((x) => Math.log(x / total));
      rows.set(key, row);
    }
    return row;
  };
}

/** The course's beam search over the table `next`, for one source. */
function courseBeam(next: PrefixLogProbs, options: BeamOptions): number[] {
  return beamSearchOver(1, (beams) => beams.map((b) => next(b.tokens)), options)[0];
}

/** `n` phonemes drawn from a small set, so that pairs share some. */
function randomPhonemes(random: Random, n: number): string[] {
  const set = ["K", "AE1", "T", "S", "AH0", "IY1", "N"];
  return Array.from({ length: n }, () => set[random.int(set.length)]);
}

/** Lesson 9's exercises, easiest first. */
export const ENCODER_DECODER_EXERCISES: {
  teacherForcing: Exercise<TeacherForcingRows>;
  errorRates: Exercise<ErrorRatesByHand>;
  editDistance: Exercise<EditDistanceByHand>;
  beamSearch: Exercise<BeamSearchByHand>;
} = {
  teacherForcing: {
    title: "Exercise 1 · teacher forcing's rows",
    checks: (answer) => {
      const hint = "targetIn is <start> then the target, targetOut the target then <end>; pad " +
        "every row with padId to the longest target plus one (the same length in and out)";
      const expected = (targets: number[][], ids: Seq2SeqIds) => {
        const batch = seq2seqBatch(targets.map((t) => ({ source: t, target: t })), ids);
        try {
          return {
            targetIn: batch.targetIn.arraySync() as number[][],
            targetOut: batch.targetOut.arraySync() as number[][],
          };
        } finally {
          disposeSeq2SeqBatch(batch);
        }
      };
      const test = (targets: number[][], ids: Seq2SeqIds) => {
        const want = expected(targets, ids);
        const got = answer(targets.map((t) => [...t]), { ...ids });
        for (const key of ["targetIn", "targetOut"] as const) {
          labelled(key, () => expectRowsClose(got?.[key], want[key], 0));
        }
      };
      const course = { padId: 0, startId: 1, endId: 2 };
      const worked: [string, number[][], Seq2SeqIds][] = [
        ["K AE1 T, ids [44, 7, 59]", [[44, 7, 59]], course],
        ["three targets of 1, 3 and 0 phonemes: padded", [[5], [6, 7, 8], []], course],
        ["other special ids (pad 3, start 0, end 1)", [[5, 6], [7]], {
          padId: 3,
          startId: 0,
          endId: 1,
        }],
      ];
      const random = new Random(9);
      const cases = Array.from({ length: 30 }, () =>
        Array.from(
          { length: 1 + random.int(6) },
          () => Array.from({ length: random.int(9) }, () => 3 + random.int(69)),
        ));
      const describe = (rows: readonly number[][]) => `[${rows.map((r) => `[${r}]`).join(", ")}]`;
      return [
        ...worked.map(([what, targets, ids]) => {
          const want = expected(targets, ids);
          return {
            name: `${what}: in ${describe(want.targetIn)}, out ${describe(want.targetOut)}`,
            hint,
            run: () => test(targets, ids),
          };
        }),
        everyCase(
          "30 random batches of 1 to 6 targets: seq2seqBatch's rows",
          hint,
          cases,
          describe,
          (
            targets,
          ) => test(targets, course),
        ),
      ];
    },
  },
  errorRates: {
    title: "Exercise 2 · phoneme and word error rates",
    checks: (answer) => {
      const hint = "PER: add up the edit distances of all pairs and divide by the total number " +
        "of reference phonemes (not the mean of each word's rate); WER: the share of pairs with " +
        "any error";
      const test = (predicted: string[][], reference: string[][]) => {
        const want = errorRates(predicted, reference);
        const got = answer(predicted.map((p) => [...p]), reference.map((r) => [...r]));
        for (const key of ["tokenErrorRate", "sequenceErrorRate"] as const) {
          labelled(key, () => expectClose(got?.[key], want[key], 1e-12));
        }
      };
      const worked: [string, string[][], string[][]][] = [
        ["K AH0 T S for CAT's K AE1 T", [["K", "AH0", "T", "S"]], [["K", "AE1", "T"]]],
        [
          "a word of 1 phoneme wrong, one of 6 right",
          [["AH0"], ["K", "AE1", "T", "S", "IH0", "Z"]],
          [
            ["AY1"],
            ["K", "AE1", "T", "S", "IH0", "Z"],
          ],
        ],
        ["every word right", [["K", "AE1", "T"], ["N", "OW1"]], [["K", "AE1", "T"], ["N", "OW1"]]],
      ];
      const random = new Random(99);
      const cases = Array.from({ length: 40 }, () => {
        const reference = Array.from(
          { length: 1 + random.int(8) },
          () => randomPhonemes(random, 1 + random.int(7)),
        );
        const predicted = reference.map((r) =>
          random.next() < 0.4 ? [...r] : randomPhonemes(random, random.int(8))
        );
        return { predicted, reference };
      });
      const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
      return [
        ...worked.map(([what, predicted, reference]) => {
          const want = errorRates(predicted, reference);
          return {
            name: `${what}: PER ${pct(want.tokenErrorRate)}, WER ${pct(want.sequenceErrorRate)}`,
            hint,
            run: () => test(predicted, reference),
          };
        }),
        everyCase(
          "40 random sets of 1 to 8 words: errorRates' figures",
          hint,
          cases,
          ({ reference }) => `${reference.length} words`,
          ({ predicted, reference }) => test(predicted, reference),
        ),
      ];
    },
  },
  editDistance: {
    title: "Exercise 3 · the edit distance by hand",
    checks: (answer) => {
      const hint = "fill a table d[i][j], the distance between the first i of a and the first " +
        "j of b: d[i][0] = i, d[0][j] = j, and d[i][j] is the least of d[i−1][j] + 1 (delete), " +
        "d[i][j−1] + 1 (insert) and d[i−1][j−1] + (0 if a[i−1] = b[j−1], else 1)";
      const split = (s: string) => (s === "" ? [] : s.split(" "));
      const worked: [string, string, string][] = [
        ["K AH0 T S into K AE1 T: a substitution and a deletion", "K AH0 T S", "K AE1 T"],
        ["AE1 T into K AE1 T: one insertion, not three changes", "AE1 T", "K AE1 T"],
        ["K AE1 T into S K AE1: an insertion and a deletion", "K AE1 T", "S K AE1"],
        ["nothing into K AE1 T", "", "K AE1 T"],
        ["K AE1 T into itself", "K AE1 T", "K AE1 T"],
      ];
      const random = new Random(999);
      const cases = Array.from(
        { length: 200 },
        () => [randomPhonemes(random, random.int(9)), randomPhonemes(random, random.int(9))],
      );
      return [
        ...worked.map(([what, a, b]) => ({
          name: `${what}: ${editDistance(split(a), split(b))}`,
          hint,
          run: () => expectClose(answer(split(a), split(b)), editDistance(split(a), split(b))),
        })),
        everyCase(
          "200 random pairs of up to 8 phonemes: editDistance's distance",
          hint,
          cases,
          ([a, b]) => `"${a.join(" ")}" into "${b.join(" ")}"`,
          ([a, b]) => expectClose(answer([...a], [...b]), editDistance(a, b)),
        ),
      ];
    },
  },
  beamSearch: {
    title: "Exercise 4 · beam search by hand",
    checks: (answer) => {
      const hint = "start from one beam, <start>, with log-probability 0; at each step every " +
        "beam still writing proposes its k likeliest next tokens; finished beams (ended by " +
        "<end>) stay and compete; keep the k best by score = log-probability / (tokens " +
        "written, <end> counted)^lengthPenalty (lengthPenalty 1 when absent); stop when all k " +
        "have ended or after maxLength steps; return the best by score without <start> and " +
        "<end>";
      const toy = { startId: 3, endId: 0, maxLength: 5 };
      const names = (ids: number[]) => ids.map((id) => ["<end>", "A", "B"][id]).join(" ");
      const worked: [string, PrefixLogProbs, BeamOptions][] = [
        ["the toy table, k = 1 (greedy)", BEAM_TOY_TABLE, { ...toy, beamWidth: 1 }],
        ["the toy table, k = 2", BEAM_TOY_TABLE, { ...toy, beamWidth: 2 }],
        ["the toy table, k = 2, no length penalty", BEAM_TOY_TABLE, {
          ...toy,
          beamWidth: 2,
          lengthPenalty: 0,
        }],
        [
          "a table that rarely ends, k = 2, 4 steps at most: 4 tokens, no <end>",
          () => [0.02, 0.58, 0.4].map(Math.log),
          { ...toy, beamWidth: 2, maxLength: 4 },
        ],
      ];
      const random = new Random(9999);
      const cases = (beamWidth: () => number, lengthPenalty: () => number) =>
        Array.from({ length: 20 }, (_, i) => {
          const size = 3 + random.int(4);
          return {
            table: randomTable(100 * i + random.int(100), size),
            options: {
              startId: size,
              endId: 0,
              maxLength: 2 + random.int(5),
              beamWidth: beamWidth(),
              lengthPenalty: lengthPenalty(),
            },
          };
        });
      const groups: [string, ReturnType<typeof cases>][] = [
        ["20 random tables of 3 to 6 tokens, k = 2, length penalty 1", cases(() => 2, () => 1)],
        ["20 random tables, k = 3, no length penalty", cases(() => 3, () => 0)],
        [
          "20 random tables, k from 1 to 4, length penalty from 0.5 to 1",
          cases(() => 1 + random.int(4), () => 0.5 + 0.5 * random.next()),
        ],
      ];
      return [
        ...worked.map(([what, table, options]) => ({
          name: `${what}: ${names(courseBeam(table, options))}`,
          hint,
          run: () => expectEqual(answer(table, { ...options }), courseBeam(table, options)),
        })),
        ...groups.map(([name, group]) =>
          everyCase(
            `${name}: the course's beam search`,
            hint,
            group,
            ({ options }) => JSON.stringify(options),
            ({ table, options }) =>
              expectEqual(answer(table, { ...options }), courseBeam(table, options)),
          )
        ),
      ];
    },
  },
};
