/**
 * Lesson 13's exercises (`notebooks/13_fine_tuning.ipynb`; solutions in
 * `solutions/13_fine_tuning.ts`): a spam filter's precision, recall and F1 from its counts, the
 * parameters LoRA adds to a GPT, an adapter merged into its layer by hand, and the hidden states a
 * classifier's head reads, each checked against the course's own version.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type BinaryMetrics, binaryMetrics } from "../metrics/classification.ts";
import { type GPTConfig, LLAMA_STYLE } from "../models/gpt.ts";
import { GPTClassifier } from "../models/gpt_classifier.ts";
import { Linear } from "../nn/linear.ts";
import { addLoRA, mergeLoRA } from "../nn/lora.ts";
import { SOTU_VOCAB_SIZE, sotuGPTConfig } from "../recipes/sotu_gpt.ts";
import { SPAM_LORA } from "../recipes/spam_classifier.ts";
import { Random } from "../runtime/random.ts";
import {
  drawExerciseWeights,
  type Exercise,
  expectClose,
  expectRowsClose,
  labelled,
  uniformMatrix,
} from "./exercise.ts";

/** The four scores of a two-class classifier that lesson 13 reports. */
export type SpamScores = Pick<BinaryMetrics, "accuracy" | "precision" | "recall" | "f1">;
/** Accuracy, precision, recall and F1 of a spam filter from its four counts (spam = positive). */
export type SpamMetrics = (
  truePositives: number,
  falsePositives: number,
  falseNegatives: number,
  trueNegatives: number,
) => SpamScores;
/** The trainable numbers LoRA of rank `rank` adds on every attention projection of a GPT. */
export type LoRAParameterCount = (config: GPTConfig, rank: number) => number;
/** W + (α / r) · A · B: an adapter (`down` = A, `up` = B) folded into its layer's `weight` W. */
export type MergeAdapter = (
  weight: number[][],
  down: number[][],
  up: number[][],
  alpha: number,
  rank: number,
) => number[][];
/**
 * For each row b of `hidden` `(B, T, C)`, right-padded texts of `lengths[b]` real tokens, the
 * vector a last-token classifier's head reads (`pooling: "last"`): `(B, C)`.
 */
export type LastTokenStates = (hidden: number[][][], lengths: number[]) => number[][];

/** The four counts of a case of exercise 1, and what it shows. */
interface CountsCase {
  counts: [tp: number, fp: number, fn: number, tn: number];
  what: string;
}

/** Predictions and actual classes (1 = spam) with exactly `counts` TP, FP, FN, TN. */
function labelsWithCounts([tp, fp, fn, tn]: CountsCase["counts"]): {
  predicted: number[];
  actual: number[];
} {
  const pairs = [[1, 1, tp], [1, 0, fp], [0, 1, fn], [0, 0, tn]] as const; // [predicted, actual, n]
  const predicted: number[] = [];
  const actual: number[] = [];
  for (const [p, a, n] of pairs) {
    for (let i = 0; i < n; i++) {
      predicted.push(p);
      actual.push(a);
    }
  }
  return { predicted, actual };
}

/** The cases of exercise 1: a typical filter, and each score's denominator at 0. */
const COUNT_CASES: readonly CountsCase[] = [
  { counts: [40, 5, 10, 45], what: "a fair filter" },
  { counts: [20, 30, 5, 45], what: "a filter with many false alarms" },
  { counts: [8, 2, 1, 189], what: "rare spam" },
  { counts: [30, 0, 0, 70], what: "a perfect filter" },
  { counts: [0, 0, 12, 88], what: "a filter that never says spam" },
  { counts: [0, 5, 0, 95], what: "no spam at all" },
];

/** The models of exercise 2: tiny GPTs (with and without grouped-query attention), ranks. */
const COUNT_MODELS: readonly { name: string; config: GPTConfig; rank: number }[] = [
  { layers: 1, kv: undefined, style: {} },
  { layers: 3, kv: 2, style: LLAMA_STYLE },
  { layers: 3, kv: 1, style: LLAMA_STYLE },
].flatMap(({ layers, kv, style }) =>
  [1, 4].map((rank) => ({
    name: `${layers} block${layers === 1 ? "" : "s"}, C = 16, 4 heads, ${
      kv === undefined ? "no grouped-query attention" : `${kv} key/value head${kv === 1 ? "" : "s"}`
    }, rank ${rank}`,
    config: {
      ...style,
      vocabSize: 10,
      contextLength: 8,
      dModel: 16,
      numHeads: 4,
      numLayers: layers,
      ...(kv === undefined ? {} : { numKVHeads: kv }),
    },
    rank,
  }))
);

/** The adapters' numbers of a classifier built on `config` with LoRA of `rank`, by building it. */
const adapterCounts = new Map<string, number>();
function adapterCount(config: GPTConfig, rank: number): number {
  const key = JSON.stringify([config, rank]);
  let count = adapterCounts.get(key);
  if (count === undefined) {
    const model = new GPTClassifier({ gpt: config, numClasses: 2, lora: { rank, alpha: rank } });
    count = 0;
    for (const [name, variable] of model.parameters()) {
      if (name.includes(".adapter.")) count += variable.size;
    }
    model.dispose();
    adapterCounts.set(key, count);
  }
  return count;
}

/** The layers of exercise 3: `in × out`, rank, α. */
const MERGE_CASES: readonly [
  inFeatures: number,
  outFeatures: number,
  rank: number,
  alpha: number,
][] = [[6, 5, 2, 4], [8, 8, 1, 0.5], [4, 10, 3, 6], [16, 12, 8, 16]];

/** What the course's `mergeLoRA` makes of a seeded layer: W, A, B before, W after. */
function courseMerge(
  random: Random,
  [inFeatures, outFeatures, rank, alpha]: (typeof MERGE_CASES)[number],
): { weight: number[][]; down: number[][]; up: number[][]; merged: number[][] } {
  const layer = new Linear(inFeatures, outFeatures);
  try {
    drawExerciseWeights(layer, random, 0.5);
    addLoRA([layer], { rank, alpha });
    const adapter = layer.adapter!;
    const down = uniformMatrix(random, inFeatures, rank);
    const up = uniformMatrix(random, rank, outFeatures); // not zeros: a trained adapter
    tf.tidy(() => {
      adapter.down.assign(tf.tensor2d(down));
      adapter.up.assign(tf.tensor2d(up));
    });
    const weight = layer.weight.arraySync() as number[][];
    mergeLoRA([layer]);
    return { weight, down, up, merged: layer.weight.arraySync() as number[][] };
  } finally {
    layer.dispose(); // the adapter too, if mergeLoRA did not get to it
  }
}

/** The classifier of exercise 4: a tiny Llama-style GPT, 2 key/value heads, 2 classes. */
const TINY_CLASSIFIER: GPTConfig = {
  ...LLAMA_STYLE,
  vocabSize: 12,
  contextLength: 8,
  dModel: 16,
  numHeads: 4,
  numKVHeads: 2,
  numLayers: 2,
};

/** The batches of exercise 4: each row's real length, padded on the right to `width`. */
const LAST_TOKEN_CASES: readonly { lengths: number[]; width: number; what: string }[] = [
  { lengths: [5, 2, 8], width: 8, what: "3 emails of 5, 2 and 8 tokens, padded to 8" },
  { lengths: [6], width: 6, what: "one email of 6 tokens, no padding" },
  { lengths: [1, 4], width: 7, what: "emails of 1 and 4 tokens, padded to 7" },
];

/**
 * Check `answer` on a seeded tiny classifier: its pick from the features of a right-padded batch,
 * put through the head, gives `forward`'s logits.
 */
function checkLastTokens(
  answer: LastTokenStates,
  seed: number,
  { lengths, width }: (typeof LAST_TOKEN_CASES)[number],
): void {
  const random = new Random(seed);
  const model = new GPTClassifier({ gpt: TINY_CLASSIFIER, numClasses: 2, pooling: "last" });
  try {
    drawExerciseWeights(model, random, 0.3);
    const table = model.gpt.tokenEmbedding.table;
    tf.tidy(() =>
      table.assign(tf.tensor2d(uniformMatrix(random, ...table.shape as [number, number])))
    );
    const rows = lengths.map((n) =>
      Array.from({ length: width }, (_, t) => (t < n ? 1 + random.int(11) : 0)) // 0: padding
    );
    const [hidden, expected] = tf.tidy(() => {
      const ids = tf.tensor2d(rows, undefined, "int32");
      const last = tf.tensor1d(lengths.map((n) => n - 1), "int32");
      return [
        model.gpt.features(ids).arraySync() as number[][][],
        model.forward(ids, last).arraySync() as number[][],
      ];
    });
    const picked = answer(hidden, [...lengths]);
    const C = TINY_CLASSIFIER.dModel;
    labelled("your vectors", () => {
      if (!Array.isArray(picked) || picked.length !== lengths.length) {
        const got = Array.isArray(picked) ? `${picked.length} rows` : String(picked);
        throw new RangeError(`expected ${lengths.length} rows (one per email), got ${got}`);
      }
      picked.forEach((row, b) => {
        const ok = Array.isArray(row) && row.length === C &&
          row.every((x) => typeof x === "number" && Number.isFinite(x));
        if (!ok) throw new RangeError(`row ${b} is not ${C} numbers (one hidden state)`);
      });
    });
    const logits = tf.tidy(() => model.head.apply(tf.tensor2d(picked)).arraySync() as number[][]);
    labelled("the head's logits on your vectors", () => expectRowsClose(logits, expected, 1e-5));
  } finally {
    model.dispose();
  }
}

/** Lesson 13's exercises, easiest first. */
export const FINE_TUNING_EXERCISES: {
  spamMetrics: Exercise<SpamMetrics>;
  loraParameterCount: Exercise<LoRAParameterCount>;
  mergeAdapter: Exercise<MergeAdapter>;
  lastTokenStates: Exercise<LastTokenStates>;
} = {
  spamMetrics: {
    title: "Exercise 1 · a spam filter's precision, recall and F1",
    checks: (answer) =>
      COUNT_CASES.map(({ counts, what }) => {
        const { predicted, actual } = labelsWithCounts(counts);
        const expected = binaryMetrics(predicted, actual);
        const [tp, fp, fn, tn] = counts;
        const scores = (["accuracy", "precision", "recall", "f1"] as const)
          .map((key) => `${key} ${+expected[key].toFixed(3)}`).join(", ");
        return {
          name: `${what} (TP ${tp}, FP ${fp}, FN ${fn}, TN ${tn}): ${scores}`,
          hint: "accuracy = (TP + TN) / all; precision = TP / (TP + FP), the share of the " +
            "emails called spam that are; recall = TP / (TP + FN), the share of the spam " +
            "caught; F1 = 2·P·R / (P + R); a ratio whose denominator is 0 is 0 (nothing " +
            "called spam: precision 0)",
          run: () => {
            const got = answer(tp, fp, fn, tn);
            for (const key of ["accuracy", "precision", "recall", "f1"] as const) {
              labelled(key, () => expectClose(got?.[key], expected[key], 1e-9));
            }
          },
        };
      }),
  },
  loraParameterCount: {
    title: "Exercise 2 · the parameters LoRA trains",
    checks: (answer) =>
      [
        ...COUNT_MODELS,
        {
          name: `lesson 13's GPT (sotuGPTConfig(${SOTU_VOCAB_SIZE})), rank ${SPAM_LORA.rank}`,
          config: sotuGPTConfig(SOTU_VOCAB_SIZE),
          rank: SPAM_LORA.rank,
        },
      ].map(({ name, config, rank }) => {
        const count = adapterCount(config, rank);
        return {
          name: `${name}: ${count.toLocaleString("en-US")}, as GPTClassifier's adapters`,
          hint: "an adapter on an in × out matrix is A (in × r) and B (r × out): r · (in + out); " +
            "four projections per block: W_Q and W_O are C × C, W_K and W_V are C × (KV heads · " +
            "d_head) with d_head = C / numHeads (numKVHeads, when absent, is numHeads); every " +
            "block has its own; biases and the rest stay frozen",
          run: () => expectClose(answer(config, rank), count),
        };
      }),
  },
  mergeAdapter: {
    title: "Exercise 3 · merge an adapter into its layer",
    checks: (answer) => {
      const random = new Random(13);
      return MERGE_CASES.map((layerCase) => {
        const [inFeatures, outFeatures, rank, alpha] = layerCase;
        const { weight, down, up, merged } = courseMerge(random, layerCase);
        return {
          name: `a layer of ${inFeatures} × ${outFeatures} weights, r = ${rank}, α = ${alpha}: ` +
            `W + ${alpha / rank} · A · B, as mergeLoRA makes it`,
          hint: "ΔW = (α / r) · A · B: A is in × r, B is r × out, so A · B is in × out, like W; " +
            "entry (i, j) is W[i][j] + (α / r) · Σ_k A[i][k] · B[k][j]",
          run: () =>
            expectRowsClose(
              answer(
                weight.map((r) => [...r]),
                down.map((r) => [...r]),
                up.map((r) => [...r]),
                alpha,
                rank,
              ),
              merged,
              1e-5,
            ),
        };
      });
    },
  },
  lastTokenStates: {
    title: "Exercise 4 · the state the classifier reads",
    checks: (answer) =>
      LAST_TOKEN_CASES.map((batch, i) => ({
        name: `${batch.what}: the head on your vectors gives GPTClassifier.forward's logits`,
        hint: "attention is causal, so only the last real token has read the whole email: row b " +
          "is hidden[b][lengths[b] − 1], not the last position (padding) nor a mean",
        run: () => checkLastTokens(answer, 1300 + i, batch),
      })),
  },
};
