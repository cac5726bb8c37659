import * as tf from "@tensorflow/tfjs";
import { assertEquals } from "../assert.ts";
import { ATTENTION_EXERCISES, initCourse, yourTurn } from "../../src/mod.ts";
import { proveCaught, proveChecks, proveNotebookStubs } from "./prove.ts";
import * as solutions from "../../solutions/03_attention.ts";

await initCourse();

/** A softmax of one row. */
function softmax(row: number[]): number[] {
  const exps = row.map((s) => Math.exp(s - Math.max(...row)));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

/** Attention as `solutions.attentionByHand` computes it, with the scores scaled by `scale`. */
function scaledBy(scale: (dk: number) => number) {
  return (q: number[][], k: number[][], v: number[][]) => {
    const factor = Math.sqrt(q[0].length) / scale(q[0].length); // undo √d_k, then divide by scale
    return solutions.attentionByHand(q.map((row) => row.map((x) => x * factor)), k, v);
  };
}

Deno.test("lesson 3's exercises: every check passes on the solution, fails on a wrong answer, and a stub is not done", async () => {
  const before = tf.memory().numTensors;
  const ex = ATTENTION_EXERCISES;
  await proveChecks(
    "causalMask",
    ex.causalMask,
    solutions.causalMaskByHand,
    (length, past) => solutions.causalMaskByHand(length, past).map((row) => row.map((x) => 1 - x)),
    () => yourTurn("causalMaskByHand"),
  );
  await proveChecks(
    "attention",
    ex.attention,
    solutions.attentionByHand,
    // weights that ignore the scores: every key alike
    (q, k, v) => {
      const weights = q.map(() => k.map(() => 1 / k.length));
      return {
        weights,
        output: solutions.attentionByHand(q.map((row) => row.map(() => 0)), k, v).output,
      };
    },
    () => yourTurn("attentionByHand"),
  );
  await proveChecks(
    "paddedAttention",
    ex.paddedAttention,
    solutions.paddedAttention,
    (q, k, v, ids, padId) =>
      solutions.paddedAttention(q, k, v, ids, padId).map((row) => row.map((x) => -x)),
    () => yourTurn("paddedAttention"),
  );
  await proveChecks(
    "softmaxGradient",
    ex.softmaxGradient,
    solutions.softmaxGradient,
    // p ⊙ dWeights: as if each weight depended on its own score only, and not even as p(1 − p)
    (scores, dWeights) => softmax(scores).map((p, j) => p * dWeights[j]),
    () => yourTurn("softmaxGradient"),
  );
  // typical mistakes, each caught by some check
  await proveCaught(
    "a square mask that ignores past",
    ex.causalMask,
    (length) => solutions.causalMaskByHand(length, 0),
  );
  await proveCaught("scores not scaled", ex.attention, scaledBy(() => 1));
  await proveCaught("scores divided by d_k", ex.attention, scaledBy((dk) => dk));
  await proveCaught("the softmax over the queries (columns)", ex.attention, (q, k, v) => {
    const { weights: byRow } = solutions.attentionByHand(k, q, q.map(() => [0])); // (Tk, Tq)
    const weights = q.map((_, i) => k.map((_, j) => byRow[j][i]));
    const output = weights.map((w) =>
      v[0].map((_, c) => w.reduce((s, wj, j) => s + wj * v[j][c], 0))
    );
    return { weights, output };
  });
  await proveCaught(
    "no mask",
    ex.paddedAttention,
    (q, k, v) => solutions.attentionByHand(q, k, v).output,
  );
  await proveCaught(
    "the pads' queries hidden instead of their keys",
    ex.paddedAttention,
    (q, k, v, ids, padId) =>
      solutions.attentionByHand(q, k, v).output.map((row, i) =>
        ids[i] === padId ? row.map(() => 0) : row
      ),
  );
  await proveCaught(
    "the diagonal of the Jacobian only",
    ex.softmaxGradient,
    (scores, dWeights) => softmax(scores).map((p, j) => p * (1 - p) * dWeights[j]),
  );
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("lesson 3's committed run shows every exercise not done (the notebook holds stubs, not solutions)", async () => {
  await proveNotebookStubs("03_attention.ipynb", ATTENTION_EXERCISES);
});
