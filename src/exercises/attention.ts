/**
 * Lesson 3's exercises (`notebooks/03_attention.ipynb`; solutions in `solutions/03_attention.ts`):
 * the causal mask, scaled dot-product attention on plain arrays, attention with a padding mask,
 * and the gradient through attention's softmax, each checked against the course's own
 * `scaledDotProductAttention`, `causalMask` and `paddingMask`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { causalMask, paddingMask, scaledDotProductAttention } from "../nn/attention.ts";
import { Random } from "../runtime/random.ts";
import { type Exercise, expectAllClose, expectRowsClose, uniformMatrix } from "./exercise.ts";

/** The causal mask for `length` queries after `past` earlier positions: `(length, past + length)`. */
export type CausalMaskByHand = (length: number, past: number) => number[][];
/** Attention's weights `(Tq, Tk)` and outputs `(Tq, d_v)`, as plain arrays. */
export interface AttentionArrays {
  /** Each query's weights over the keys; each row sums to 1. */
  weights: number[][];
  /** Each query's weighted average of the values. */
  output: number[][];
}
/** `softmax(Q · Kᵀ / √d_k) · V` on plain arrays: q `(Tq, d_k)`, k `(Tk, d_k)`, v `(Tk, d_v)`. */
export type AttentionByHand = (q: number[][], k: number[][], v: number[][]) => AttentionArrays;
/** Attention's outputs `(Tq, d_v)` when the keys whose token id (`ids`, Tk) is `padId` are hidden. */
export type PaddedAttentionByHand = (
  q: number[][],
  k: number[][],
  v: number[][],
  ids: number[],
  padId: number,
) => number[][];
/** The gradient of the loss with respect to a row of scores, given its gradient w.r.t. softmax(scores). */
export type SoftmaxGradient = (scores: number[], dWeights: number[]) => number[];

/** Lesson 3's three tokens "How", "Are", "You": their queries, keys and values (section 1). */
const HOW_ARE_YOU = {
  q: [[0.89, -1.04, -0.84], [-1.59, 1.39, 0.79], [-0.8, 0.77, -0.45]],
  k: [[-0.14, -0.2, 1.13], [0.14, -0.07, -1.75], [0.19, 0.5, -1.13]],
  v: [[1.09, -1.03, -0.01], [-1.69, 1.13, -0.79], [-0.76, 0.76, -0.15]],
};

/** The course's attention on plain arrays, with an optional mask: weights and outputs. */
function courseAttention(
  q: number[][],
  k: number[][],
  v: number[][],
  mask?: () => tf.Tensor,
): AttentionArrays {
  return tf.tidy(() => {
    const { weights, output } = scaledDotProductAttention(
      tf.tensor2d(q),
      tf.tensor2d(k),
      tf.tensor2d(v),
      mask?.(),
    );
    return { weights: weights.arraySync() as number[][], output: output.arraySync() as number[][] };
  });
}

/**
 * The gradient of `Σ_j dWeights_j · softmax(scores)_j` with respect to the scores, through the
 * course's attention: one query `[1]` and keys `scores` (d_k = 1), so the scaled scores are
 * `scores` themselves and a key's gradient is its score's.
 */
function courseSoftmaxGradient(scores: number[], dWeights: number[]): number[] {
  return tf.tidy(() => {
    const q = tf.tensor2d([[1]]);
    const v = tf.zeros([scores.length, 1]);
    const loss = (keys: tf.Tensor) =>
      scaledDotProductAttention(q, keys, v).weights.mul(tf.tensor2d([dWeights])).sum();
    return Array.from(tf.grad(loss)(tf.tensor2d(scores, [scores.length, 1])).dataSync());
  });
}

/** Lesson 3's exercises, easiest first. */
export const ATTENTION_EXERCISES: {
  causalMask: Exercise<CausalMaskByHand>;
  attention: Exercise<AttentionByHand>;
  paddedAttention: Exercise<PaddedAttentionByHand>;
  softmaxGradient: Exercise<SoftmaxGradient>;
} = {
  causalMask: {
    title: "Exercise 1 · the causal mask",
    checks: (answer) =>
      [[6, 0], [1, 0], [3, 2], [1, 5], [4, 4]].map(([length, past]) => ({
        name: `${length} ${length === 1 ? "query" : "queries"} after ${past} past ${
          past === 1 ? "position" : "positions"
        }: causalMask(${length}, ${past})`,
        hint: "row r is the query at position past + r: ones at keys 0 … past + r, zeros after; " +
          "there are past + length keys",
        run: () => {
          const expected = tf.tidy(() => causalMask(length, past).arraySync());
          expectRowsClose(answer(length, past), expected, 0);
        },
      })),
  },
  attention: {
    title: "Exercise 2 · attention on plain arrays",
    checks: (answer) => {
      const random = new Random(3);
      const cases = [
        { name: 'section 1\'s "How", "Are", "You"', ...HOW_ARE_YOU },
        ...[[4, 4, 8, 8], [2, 5, 16, 3], [6, 3, 1, 2]].map(([tq, tk, dk, dv]) => ({
          name: `${tq} queries, ${tk} keys, d_k = ${dk}, d_v = ${dv}`,
          q: uniformMatrix(random, tq, dk, 2),
          k: uniformMatrix(random, tk, dk, 2),
          v: uniformMatrix(random, tk, dv),
        })),
      ];
      return cases.flatMap(({ name, q, k, v }) => {
        const got = () => answer(q, k, v);
        const expected = courseAttention(q, k, v);
        return [
          {
            name: `${name}: the weights of scaledDotProductAttention`,
            hint: "score(i, j) = q_i · k_j / √d_k; then a softmax along each query's row, over " +
              "the keys (subtract the row's maximum before exp)",
            run: () => expectRowsClose(got().weights, expected.weights, 1e-5),
          },
          {
            name: `${name}: its outputs`,
            hint: "output_i = Σ_j weight(i, j) · v_j, the weights times V",
            run: () => expectRowsClose(got().output, expected.output, 1e-5),
          },
        ];
      });
    },
  },
  paddedAttention: {
    title: "Exercise 3 · attention with a padding mask",
    checks: (answer) => {
      const random = new Random(4);
      const cases = [
        { name: "padding at the end", ids: [5, 9, 2, 0, 0], dk: 4, dv: 3 },
        { name: "padding at the start (left padding)", ids: [0, 0, 0, 7, 3, 8], dk: 8, dv: 2 },
        { name: "no padding at all", ids: [4, 1, 6], dk: 2, dv: 2 },
        { name: "one real token among pads", ids: [0, 11, 0, 0], dk: 3, dv: 5 },
      ];
      return cases.map(({ name, ids, dk, dv }) => {
        const q = uniformMatrix(random, ids.length, dk, 2);
        const k = uniformMatrix(random, ids.length, dk, 2);
        // a pad's value is huge, so any weight left on a pad shows
        const v = uniformMatrix(random, ids.length, dv).map((row, j) =>
          ids[j] === 0 ? row.map((x) => 1000 * x) : row
        );
        const expected = courseAttention(q, k, v, () => paddingMask([ids], 0).squeeze([0]));
        return {
          name: `ids [${ids}], pad 0, ${name}: the outputs of scaledDotProductAttention with ` +
            "paddingMask",
          hint: "before the softmax, give every key whose id is padId the score −1e9 (or leave " +
            "it out), so its weight is 0; every query, a pad's too, still looks at the real keys",
          run: () => expectRowsClose(answer(q, k, v, ids, 0), expected.output, 1e-5),
        };
      });
    },
  },
  softmaxGradient: {
    title: "Exercise 4 · the gradient through the softmax",
    checks: (answer) => {
      const random = new Random(5);
      const cases = [
        { name: "scores [2, 1, 0], dWeights [1, 0, 0]", scores: [2, 1, 0], dWeights: [1, 0, 0] },
        {
          name: "5 random scores",
          scores: uniformMatrix(random, 1, 5, 2)[0],
          dWeights: uniformMatrix(random, 1, 5)[0],
        },
        {
          name: "16 random scores",
          scores: uniformMatrix(random, 1, 16, 3)[0],
          dWeights: uniformMatrix(random, 1, 16)[0],
        },
        {
          name: "a saturated row, [8, 0, 0, 0] (one weight near 1)",
          scores: [8, 0, 0, 0],
          dWeights: [0.5, -1, 0.25, 1],
        },
      ];
      return cases.map(({ name, scores, dWeights }) => ({
        name: `${name}: as tf.grad through scaledDotProductAttention gives it`,
        hint: "with p = softmax(s): ∂p_m/∂s_j = p_m (δ_mj − p_j), so " +
          "∂L/∂s_j = p_j (dWeights_j − Σ_m p_m dWeights_m)",
        run: () =>
          expectAllClose(answer(scores, dWeights), courseSoftmaxGradient(scores, dWeights), 1e-5),
      }));
    },
  },
};
