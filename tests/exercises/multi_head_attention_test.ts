import * as tf from "@tensorflow/tfjs";
import { assertEquals } from "../assert.ts";
import {
  initCourse,
  MULTI_HEAD_ATTENTION_EXERCISES,
  type MultiHeadAttention,
  scaledDotProductAttention,
  yourTurn,
} from "../../src/mod.ts";
import { proveCaught, proveChecks, proveNotebookStubs } from "./prove.ts";
import * as solutions from "../../solutions/04_multi_head_attention.ts";

await initCourse();

/** Heads split by taking every H-th column (a reshape to (T, d_head, H)): a typical mistake. */
const interleaved = (x: number[][], numHeads: number) =>
  Array.from(
    { length: numHeads },
    (_, h) => x.map((row) => row.filter((_, c) => c % numHeads === h)),
  );

/** The loop with one change to each head's attention or to the joined heads. */
function loopWith(
  change: {
    noMask?: boolean;
    noBias?: boolean;
    noOutput?: boolean;
  },
) {
  return (layer: MultiHeadAttention, x: tf.Tensor2D, context: tf.Tensor2D, mask?: tf.Tensor2D) =>
    tf.tidy(() => {
      const d = layer.headDim;
      const project = (linear: typeof layer.query, input: tf.Tensor2D, h: number) => {
        const p = input.matMul(linear.weight.slice([0, h * d], [layer.dModel, d]));
        return change.noBias ? p : p.add(linear.bias!.slice([h * d], [d]));
      };
      const heads = Array.from({ length: layer.numHeads }, (_, h) =>
        scaledDotProductAttention(
          project(layer.query, x, h),
          project(layer.key, context, h),
          project(layer.value, context, h),
          change.noMask ? undefined : mask,
        ).output);
      const joined = tf.concat(heads, 1) as tf.Tensor2D;
      return change.noOutput ? joined : layer.output.apply(joined) as tf.Tensor2D;
    });
}

Deno.test("lesson 4's exercises: every check passes on the solution, fails on a wrong answer, and a stub is not done", async () => {
  const before = tf.memory().numTensors;
  const ex = MULTI_HEAD_ATTENTION_EXERCISES;
  await proveChecks(
    "parameters",
    ex.parameters,
    solutions.attentionParameters,
    (dModel, heads, bias) => solutions.attentionParameters(dModel, heads, bias) + 1,
    () => yourTurn("attentionParameters"),
  );
  await proveChecks(
    "crossShapes",
    ex.crossShapes,
    solutions.crossAttentionShapes,
    // weights without the heads' axis
    (batch, tq, tk, dModel) => ({ output: [batch, tq, dModel], weights: [batch, tq, tk] }),
    () => yourTurn("crossAttentionShapes"),
  );
  await proveChecks(
    "splitHeads",
    ex.splitHeads,
    solutions.splitHeads,
    // (T, H, d_head): the heads' axis second
    (x, numHeads) =>
      solutions.splitHeads(x, numHeads)[0].map((_, t) =>
        solutions.splitHeads(x, numHeads).map((head) => head[t])
      ),
    () => yourTurn("splitHeads"),
  );
  await proveChecks(
    "byLoop",
    ex.byLoop,
    solutions.attentionByLoop,
    loopWith({ noOutput: true }),
    () => yourTurn("attentionByLoop"),
  );
  // typical mistakes, each caught by some check
  await proveCaught("ignoring the bias flag", ex.parameters, (c) => 4 * (c * c + c));
  await proveCaught(
    "a set of C × C matrices per head",
    ex.parameters,
    (c, h, bias) => h * solutions.attentionParameters(c, h, bias),
  );
  await proveCaught(
    "weights (B, H, T_source, T_target)",
    ex.crossShapes,
    (batch, tq, tk, dModel, heads) => ({
      output: [batch, tq, dModel],
      weights: [batch, heads, tk, tq],
    }),
  );
  await proveCaught(
    "an output per source token",
    ex.crossShapes,
    (batch, tq, tk, dModel, heads) => ({
      output: [batch, tk, dModel],
      weights: [batch, heads, tq, tk],
    }),
  );
  await proveCaught("every H-th column", ex.splitHeads, interleaved);
  await proveCaught("the mask forgotten", ex.byLoop, loopWith({ noMask: true }));
  await proveCaught("the biases forgotten", ex.byLoop, loopWith({ noBias: true }));
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("lesson 4's committed run shows every exercise not done (the notebook holds stubs, not solutions)", async () => {
  await proveNotebookStubs("04_multi_head_attention.ipynb", MULTI_HEAD_ATTENTION_EXERCISES);
});
