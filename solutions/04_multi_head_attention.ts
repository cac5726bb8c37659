/**
 * Solutions to lesson 4's exercises (`src/exercises/multi_head_attention.ts` checks them; the
 * test suite proves every check passes here and reports "not done" on the notebook's stubs).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  type MHAByLoop,
  type MHACrossShapes,
  type MHAParameters,
  type MHASplitHeads,
  type MultiHeadAttention,
  scaledDotProductAttention,
} from "../src/mod.ts";

/** Exercise 1: four C × C matrices whatever the number of heads, and a bias of C for each. */
export const attentionParameters: MHAParameters = (
  dModel: number,
  _numHeads: number,
  bias: boolean,
) => 4 * (dModel * dModel + (bias ? dModel : 0));

/** Exercise 2: one output vector per query; weights per head, one row per query, a column per key. */
export const crossAttentionShapes: MHACrossShapes = (
  batch: number,
  targetLength: number,
  sourceLength: number,
  dModel: number,
  numHeads: number,
) => ({
  output: [batch, targetLength, dModel],
  weights: [batch, numHeads, targetLength, sourceLength],
});

/** Exercise 3: head h takes the h-th block of d_head neighbouring columns of every row. */
export const splitHeads: MHASplitHeads = (x: number[][], numHeads: number) => {
  const dHead = x[0].length / numHeads;
  return Array.from(
    { length: numHeads },
    (_, h) => x.map((row) => row.slice(h * dHead, (h + 1) * dHead)),
  );
};

/** Exercise 4: each head's slice of the projections, attention, the heads side by side, W_O. */
export const attentionByLoop: MHAByLoop = (
  layer: MultiHeadAttention,
  x: tf.Tensor2D,
  context: tf.Tensor2D,
  mask?: tf.Tensor2D,
) =>
  tf.tidy(() => {
    const d = layer.headDim;
    const project = (
      linear: { weight: tf.Tensor; bias?: tf.Tensor },
      input: tf.Tensor2D,
      h: number,
    ) => {
      const projected = input.matMul(linear.weight.slice([0, h * d], [layer.dModel, d]));
      return linear.bias ? projected.add(linear.bias.slice([h * d], [d])) : projected;
    };
    const heads = Array.from({ length: layer.numHeads }, (_, h) =>
      scaledDotProductAttention(
        project(layer.query, x, h),
        project(layer.key, context, h),
        project(layer.value, context, h),
        mask,
      ).output);
    return layer.output.apply(tf.concat(heads, 1)) as tf.Tensor2D;
  });
