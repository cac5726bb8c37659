/**
 * Lesson 10's exercises (`notebooks/10_encoder_only.ipynb`; solutions in
 * `solutions/10_encoder_only.ts`): BERT's masking rule draw for draw, the attention masks of
 * three designs, and top-1 accuracy and the loss counted at the chosen positions only, each
 * checked against the course's own version. The checks of exercises 3 and 4 build a tiny
 * encoder, whose weights come from the course-wide generator.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { EncoderOnly } from "../models/encoder_only.ts";
import { causalMask, paddingMask } from "../nn/attention.ts";
import { crossEntropy } from "../nn/cross_entropy.ts";
import { Random } from "../runtime/random.ts";
import {
  disposeMlmBatch,
  type MaskAction,
  type MaskedSequence,
  type MaskingOptions,
  maskTokens,
  mlmAccuracy,
  mlmBatch,
} from "../training/masked_lm.ts";
import {
  everyCase,
  type Exercise,
  type ExerciseCheck,
  expectClose,
  expectEqual,
} from "./exercise.ts";

/**
 * Who may read whom: every token every token ("bidirectional", BERT), each token itself and
 * those before it ("causal", GPT), or a prefix read both ways and the rest causally ("prefix").
 */
export type AttentionFamily = "bidirectional" | "causal" | "prefix";
/**
 * The attention mask `(T, T)` of `family` over the `T` tokens `ids`: row q, column k is 1 when
 * query q may read key k, else 0. No query reads a padding key (`padId`), in any family, while
 * a padding query reads the real keys its family allows; `prefixLength` is the prefix of the
 * "prefix" family (the others ignore it).
 */
export type AttentionMaskByHand = (
  family: AttentionFamily,
  ids: readonly number[],
  padId: number,
  prefixLength: number,
) => number[][];
/**
 * Top-1 accuracy at the chosen positions: `logits[b][t]` are the scores over the vocabulary at
 * position t of row b of the padded batch of `masked`.
 */
export type BlankAccuracy = (logits: number[][][], masked: readonly MaskedSequence[]) => number;
/** Mean cross-entropy of the original tokens at the chosen positions, from the same logits. */
export type BlankLoss = (logits: number[][][], masked: readonly MaskedSequence[]) => number;
/** BERT's masking rule, drawing from `options.random` exactly as `maskTokens` draws. */
export type MaskTokensByHand = (
  ids: readonly number[],
  options: MaskingOptions,
) => MaskedSequence;

/** The special tokens of the checks' sequences: `[PAD]` 0, `[CLS]` 1, `[SEP]` 2, `[MASK]` 3. */
const [PAD, CLS, SEP, MASK] = [0, 1, 2, 3];
const SPECIAL: ReadonlySet<number> = new Set([PAD, CLS, SEP, MASK]);

/** `[CLS]`, 1 to `maxWords` ordinary ids of `[4, vocabSize)`, `[SEP]`, and up to `maxPads` `[PAD]`. */
function sentence(random: Random, vocabSize: number, maxWords: number, maxPads = 0): number[] {
  const words = Array.from(
    { length: 1 + random.int(maxWords) },
    () => 4 + random.int(vocabSize - 4),
  );
  return [CLS, ...words, SEP, ...Array(random.int(maxPads + 1)).fill(PAD)];
}

/** The course's mask of `family`: `causalMask`, widened to the prefix, times `paddingMask`. */
function courseMask(
  family: AttentionFamily,
  ids: readonly number[],
  padId: number,
  prefixLength: number,
): number[][] {
  const T = ids.length;
  return tf.tidy(() => {
    const keys = paddingMask([[...ids]], padId).reshape([1, T]); // (1, T): 0 at padding
    const inPrefix = tf.range(0, T).less(prefixLength).cast("float32").reshape([1, T]);
    const rule = family === "bidirectional"
      ? tf.ones([T, T])
      : family === "causal"
      ? causalMask(T)
      : causalMask(T).maximum(inPrefix); // a prefix key is read by every query
    return rule.mul(keys).arraySync() as number[][];
  });
}

/** A masking case: sequences, the options (without their random source) and a seed. */
interface MaskingCase {
  name: string;
  sequences: number[][];
  options: Omit<MaskingOptions, "random">;
  seed: number;
}

/** The first field of a masked sequence that differs between `actual` and `expected`, if any. */
function difference(actual: MaskedSequence, expected: MaskedSequence): string | undefined {
  const keys = ["positions", "actions", "input", "labels"] as const;
  const k = keys.find((k) => JSON.stringify(actual?.[k]) !== JSON.stringify(expected[k]));
  return k && `${k} ${JSON.stringify(actual?.[k])}, expected ${JSON.stringify(expected[k])}`;
}

/** Check that `answer` masks every sequence of `c` as `maskTokens` does, from the same seed. */
function sameDraws(answer: MaskTokensByHand, c: MaskingCase): void {
  const mine = new Random(c.seed);
  const course = new Random(c.seed);
  c.sequences.forEach((ids, n) => {
    const got = answer(ids, { ...c.options, random: mine });
    const wrong = difference(got, maskTokens(ids, { ...c.options, random: course }));
    if (wrong) throw new RangeError(`sequence ${n} ${JSON.stringify(ids)}: ${wrong}`);
  });
}

/** The default options of the checks: vocabulary 30, ids 0–3 special, `[MASK]` 3. */
const DEFAULT_OPTIONS: Omit<MaskingOptions, "random"> = {
  maskId: MASK,
  vocabSize: 30,
  specialIds: SPECIAL,
};

/** What `answer` does to many sequences (default rule, seed 1): each sequence and its result. */
function manyMasked(answer: MaskTokensByHand): { ids: number[]; m: MaskedSequence }[] {
  const data = new Random(2024);
  const random = new Random(1);
  return Array.from({ length: 2000 }, () => {
    // [CLS] a … [SEP] b … [SEP] [PAD] …: two sentences, as BERT pairs them
    const ids = [...sentence(data, 30, 20), ...sentence(data, 30, 10, 2).slice(1)];
    return { ids, m: answer(ids, { ...DEFAULT_OPTIONS, random }) };
  });
}

/** Logits of a tiny encoder at every position of a batch, and the course's figures there. */
interface BlankCase {
  /** `(B, T, V)`. */
  logits: number[][][];
  masked: MaskedSequence[];
  /** `mlmAccuracy`'s accuracy and loss. */
  accuracy: number;
  loss: number;
}

/**
 * `rows` sequences (up to 3 padding tokens each) masked at `rate` (BERT's mix, seed `seed`), a
 * tiny untrained encoder's logits at every position, `scale` times, and `mlmAccuracy`'s
 * figures on them (with `scale` ≠ 1, the loss is `crossEntropy`'s on the scaled logits).
 */
function blankCase(seed: number, rows: number, rate: number, scale = 1): BlankCase {
  const random = new Random(seed);
  const V = 12;
  const sequences = Array.from({ length: rows }, () => sentence(random, V, 10, 3));
  const options = { ...DEFAULT_OPTIONS, vocabSize: V, rate, random };
  const masked = sequences.map((ids) => maskTokens(ids, options));
  const model = new EncoderOnly({
    vocabSize: V,
    maxLength: 16,
    dModel: 8,
    numHeads: 2,
    numLayers: 1,
    padId: PAD,
    initStd: 0.5, // large weights: clear winners, no near-ties
  });
  const batch = mlmBatch(masked, PAD);
  try {
    const [B, T] = batch.ids.shape;
    const logits = tf.tidy(() =>
      model.logitsAt(batch.ids, tf.range(0, B * T, 1, "int32") as tf.Tensor1D).mul(scale)
        .reshape([B, T, V]).arraySync() as number[][][]
    );
    const { accuracy, loss } = mlmAccuracy(model, [batch]);
    if (scale === 1) return { logits, masked, accuracy, loss };
    const atBlanks = masked.flatMap((s, b) => s.positions.map((t) => logits[b][t])); // (N, V)
    const scaled = tf.tidy(() => crossEntropy(tf.tensor2d(atBlanks), batch.labels).dataSync()[0]);
    return { logits, masked, accuracy, loss: scaled };
  } finally {
    disposeMlmBatch(batch);
    model.dispose();
  }
}

/**
 * Logits that score `pick(b, t)` highest at position t of row b (1 against 0 elsewhere), for
 * a case's shape.
 */
function pointing(c: BlankCase, pick: (b: number, t: number) => number): number[][][] {
  return c.logits.map((row, b) =>
    row.map((scores, t) => scores.map((_, v) => (v === pick(b, t) ? 1 : 0)))
  );
}

/** Share of the chosen positions whose input is already the original token. */
function copyShare(masked: readonly MaskedSequence[]): number {
  const n = masked.reduce((s, m) => s + m.positions.length, 0);
  const same = masked.reduce(
    (s, m) => s + m.positions.filter((t, k) => m.input[t] === m.labels[k]).length,
    0,
  );
  return same / n;
}

/** Lesson 10's exercises, easiest first. */
export const ENCODER_ONLY_EXERCISES: {
  maskTokens: Exercise<MaskTokensByHand>;
  attentionMask: Exercise<AttentionMaskByHand>;
  blankAccuracy: Exercise<BlankAccuracy>;
  blankLoss: Exercise<BlankLoss>;
} = {
  maskTokens: {
    title: "Exercise 1 · BERT's masking rule, draw for draw",
    checks: (answer) => {
      const data = new Random(7);
      const cases: MaskingCase[] = [
        {
          name: "the default rule (15 %; 80 / 10 / 10), 50 sentences, seed 5",
          sequences: Array.from({ length: 50 }, () => sentence(data, 30, 30, 2)),
          options: DEFAULT_OPTIONS,
          seed: 5,
        },
        {
          name: "rate 0.5, mix 50 / 25 / 25, special ids 5–9 ([MASK] 9), 50 pairs of sentences",
          sequences: Array.from(
            { length: 50 },
            () =>
              [...sentence(data, 25, 12), ...sentence(data, 25, 12, 2).slice(1)].map((id) =>
                id < 4 ? id + 5 : id + 6
              ),
          ),
          options: {
            maskId: 9,
            vocabSize: 31,
            specialIds: new Set([5, 6, 7, 8, 9]),
            rate: 0.5,
            mix: { mask: 0.5, random: 0.25 },
          },
          seed: 6,
        },
        {
          name: "rate 1, every chosen token [MASK] (mix 100 / 0 / 0), 20 sentences",
          sequences: Array.from({ length: 20 }, () => sentence(data, 30, 8)),
          options: { ...DEFAULT_OPTIONS, rate: 1, mix: { mask: 1, random: 0 } },
          seed: 7,
        },
        {
          name: "nothing to choose ([CLS] [SEP] [PAD]); one ordinary token, always chosen",
          sequences: [[CLS, SEP, PAD], [CLS, 17, SEP], [CLS, 4, SEP, PAD, PAD]],
          options: DEFAULT_OPTIONS,
          seed: 8,
        },
      ];
      const drawHint = "section 2's maskByHand, with 0.15 → rate and 0.8, 0.9 → mix.mask, " +
        "mix.mask + mix.random; draw as maskTokens does: shuffle the positions of ordinary tokens " +
        "(random.shuffle), take the first round(rate × their number), at least one, and sort " +
        "them; then for each, in order, r = random.next(): r < mix.mask → [MASK], r < mix.mask " +
        "+ mix.random → random.int(vocabSize) again and again until the id is not special; " +
        "else unchanged";
      const exact: ExerciseCheck[] = cases.map((c) => ({
        name: `${c.name}: what maskTokens draws`,
        hint: drawHint,
        run: () => sameDraws(answer, c),
      }));
      const tally = (results: { m: MaskedSequence }[], action: MaskAction) =>
        results.reduce((s, r) => s + (r.m?.actions ?? []).filter((a) => a === action).length, 0);
      return [
        ...exact,
        {
          name: "2,000 sequences: no special token is chosen, nor drawn as the random token",
          hint: "candidates are the positions whose id is not in specialIds; a random " +
            "replacement is drawn again until it is not special",
          run: () =>
            manyMasked(answer).forEach(({ ids, m }, n) => {
              const bad = m.positions.find((t, k) =>
                SPECIAL.has(ids[t]) || (m.actions[k] === "random" && SPECIAL.has(m.input[t]))
              );
              if (bad !== undefined) {
                throw new RangeError(
                  `sequence ${n}: position ${bad} (${ids[bad]} → ${m.input[bad]})`,
                );
              }
            }),
        },
        {
          name: "2,000 sequences: round(15 %) of the ordinary tokens chosen, at least one, in " +
            "order; the labels the original tokens; [MASK] and unchanged as the actions say; " +
            "the rest untouched",
          hint: "count = max(1, round(0.15 × ordinary)); labels[k] = ids[positions[k]]; " +
            "every position not chosen keeps its id",
          run: () =>
            manyMasked(answer).forEach(({ ids, m }, n) => {
              const ordinary = ids.filter((id) => !SPECIAL.has(id)).length;
              const count = Math.max(1, Math.round(0.15 * ordinary));
              const problem = m.positions.length !== count
                ? `${m.positions.length} chosen of ${ordinary} ordinary tokens, expected ${count}`
                : m.positions.some((t, k) => k > 0 && t <= m.positions[k - 1])
                ? `positions ${m.positions} are not in increasing order`
                : m.labels.some((l, k) => l !== ids[m.positions[k]])
                ? `labels ${m.labels} are not the original tokens at ${m.positions}`
                : m.actions.some((a, k) =>
                    (a === "mask" && m.input[m.positions[k]] !== MASK) ||
                    (a === "same" && m.input[m.positions[k]] !== ids[m.positions[k]])
                  )
                ? `actions ${m.actions} do not match the input ${m.input}`
                : ids.some((id, t) => !m.positions.includes(t) && m.input[t] !== id)
                ? `an unchosen position changed: ${m.input}`
                : undefined;
              if (problem) throw new RangeError(`sequence ${n} ${JSON.stringify(ids)}: ${problem}`);
            }),
        },
        {
          name: "2,000 sequences: 80 % ± 1.5 of the chosen [MASK], 10 % ± 1.5 random, " +
            "10 % ± 1.5 unchanged",
          hint: "one draw r = random.next() per chosen position: [MASK] below 0.8, a random " +
            "token below 0.9, unchanged above",
          run: () => {
            const results = manyMasked(answer);
            const chosen = results.reduce((s, r) => s + (r.m?.actions ?? []).length, 0);
            const shares = (["mask", "random", "same"] as const).map((a) =>
              tally(results, a) / chosen
            );
            const wrong = [0.8, 0.1, 0.1].some((share, i) =>
              !(Math.abs(shares[i] - share) <= 0.015)
            );
            if (wrong) {
              throw new RangeError(
                `shares ${shares.map((s) => `${(100 * s).toFixed(1)} %`).join(" / ")}, ` +
                  "expected 80 / 10 / 10",
              );
            }
          },
        },
      ];
    },
  },
  attentionMask: {
    title: "Exercise 2 · who may read whom",
    checks: (answer) => {
      const example = [CLS, 10, 11, 12, SEP, PAD]; // [CLS] call me ishmael [SEP] [PAD]
      const random = new Random(10);
      const cases = Array.from({ length: 30 }, (_, n) => {
        const ids = sentence(random, 20, 9, 3);
        return { ids, prefix: n % (ids.length + 2) };
      });
      const hints: Record<AttentionFamily, string> = {
        bidirectional: "every query reads every key that is not padding; a padding query " +
          "too (hide padding columns, not rows)",
        causal: "query q reads keys 0 … q (k ≤ q), and never a padding key; a padding query " +
          "still reads the real keys before it",
        prefix: "query q reads key k when k ≤ q or k < prefixLength, and never a padding key; " +
          "prefix 0 is causal, a prefix as long as the sequence is bidirectional",
      };
      const families: AttentionFamily[] = ["bidirectional", "causal", "prefix"];
      return families.flatMap((family) => [
        {
          name: `${family}, [CLS] call me ishmael [SEP] [PAD] (prefix 3)`,
          hint: hints[family],
          run: () =>
            expectEqual(
              answer(family, example, PAD, 3),
              courseMask(family, example, PAD, 3),
              "mask",
            ),
        },
        everyCase(
          `${family}, 30 random sequences with padding, prefixes 0 to T + 1`,
          hints[family],
          cases,
          ({ ids, prefix }) => `${JSON.stringify(ids)}, prefix ${prefix}`,
          ({ ids, prefix }) =>
            expectEqual(
              answer(family, ids, PAD, prefix),
              courseMask(family, ids, PAD, prefix),
              "mask",
            ),
        ),
      ]);
    },
  },
  blankAccuracy: {
    title: "Exercise 3 · accuracy at the blanks only",
    checks: (answer) => {
      const hint = "at each chosen position t of row b (masked[b].positions[k]), the argmax of " +
        "logits[b][t] against masked[b].labels[k], the original token; right ones / all chosen";
      return [
        {
          name: "8 sequences, 15 % chosen, a tiny encoder's logits: mlmAccuracy's figure",
          hint,
          run: () => {
            const c = blankCase(1, 8, 0.15);
            expectClose(answer(c.logits, c.masked), c.accuracy, 1e-9);
          },
        },
        {
          name: "24 sequences, 40 % chosen: mlmAccuracy's figure",
          hint,
          run: () => {
            const c = blankCase(2, 24, 0.4);
            expectClose(answer(c.logits, c.masked), c.accuracy, 1e-9);
          },
        },
        {
          name: "logits that always point at the original token: 1",
          hint,
          run: () => {
            const c = blankCase(3, 16, 0.3);
            const original = c.masked.map((m) =>
              m.input.map((id, t) => {
                const k = m.positions.indexOf(t);
                return k < 0 ? id : m.labels[k];
              })
            );
            expectClose(answer(pointing(c, (b, t) => original[b][t] ?? PAD), c.masked), 1, 1e-9);
          },
        },
        {
          name: "logits that copy the input (right only where a chosen token stayed): " +
            "the share of chosen tokens left as they were",
          hint: hint + "; compare with the label, not with the input, and count no position " +
            "that was not chosen",
          run: () => {
            const c = blankCase(4, 16, 0.5);
            const copy = pointing(c, (b, t) => c.masked[b].input[t] ?? PAD);
            expectClose(answer(copy, c.masked), copyShare(c.masked), 1e-9);
          },
        },
      ];
    },
  },
  blankLoss: {
    title: "Exercise 4 · the loss at the blanks, computed stably",
    checks: (answer) => {
      const hint = "at each chosen position: −log softmax(logits[b][t])[label] = " +
        "logsumexp(scores) − scores[label]; the mean over the chosen positions only";
      return [
        {
          name: "8 sequences, 15 % chosen, a tiny encoder's logits: mlmAccuracy's loss",
          hint,
          run: () => {
            const c = blankCase(5, 8, 0.15);
            expectClose(answer(c.logits, c.masked), c.loss, 1e-4);
          },
        },
        {
          name: "24 sequences, 40 % chosen: mlmAccuracy's loss",
          hint,
          run: () => {
            const c = blankCase(6, 24, 0.4);
            expectClose(answer(c.logits, c.masked), c.loss, 1e-4);
          },
        },
        {
          name: "all logits 0 (a uniform guess over 12 tokens): ln 12",
          hint,
          run: () => {
            const c = blankCase(7, 8, 0.3);
            expectClose(answer(pointing(c, () => -1), c.masked), Math.log(12), 1e-9);
          },
        },
        {
          name: "the logits times 1000, as a confident model's: crossEntropy's loss, finite",
          hint: hint + "; exp(1000) is Infinity: subtract each row's largest score before " +
            "exponentiating (logsumexp(s) = m + log Σ exp(s − m))",
          run: () => {
            const c = blankCase(8, 8, 0.3, 1000);
            expectClose(answer(c.logits, c.masked), c.loss, 1e-4);
          },
        },
      ];
    },
  },
};
