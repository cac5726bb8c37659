/**
 * Layer normalisation, from its formula: for each token vector x (the last axis),
 *
 *     LN(x) = γ ⊙ (x − mean(x)) / √(var(x) + ε) + β
 *
 * with the mean and the (biased) variance over the vector's C numbers, and a learned gain γ
 * (initially 1) and bias β (initially 0). It keeps every token's vector at a steady scale, which
 * lets deep stacks train.
 *
 * Written with tensor operations, LayerNorm is a dozen small kernels forward and twice as many
 * backward; on the wasm backend the engine runs it as one kernel each way (`fastLayerNorm`,
 * with the gradient written out), and {@link layerNormFormula} below is the fallback and the
 * reference the tests hold the kernels to.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { fastLayerNorm } from "../engine/mod.ts";
import {
  MAX_TENSOR_SIZE,
  requirePositiveInteger,
  requirePositiveNumber,
} from "../runtime/checks.ts";
import { Module } from "./module.ts";

/** LayerNorm over the last axis. */
export class LayerNorm extends Module {
  /** γ, `(C)`. */
  readonly gain: tf.Variable;
  /** β, `(C)`. */
  readonly bias: tf.Variable;

  /** @param epsilon added to the variance, so a constant vector does not divide by zero */
  constructor(readonly dim: number, readonly epsilon = 1e-5) {
    super();
    requirePositiveInteger("LayerNorm dim", dim, MAX_TENSOR_SIZE);
    requirePositiveNumber("LayerNorm epsilon", epsilon);
    // Inside tidy: the initial ones/zeros are freed, the variables keep their own copy.
    this.gain = tf.tidy(() => tf.variable(tf.ones([dim])));
    this.bias = tf.tidy(() => tf.variable(tf.zeros([dim])));
  }

  /** Normalise `x` of shape `(..., C)`. */
  apply(x: tf.Tensor): tf.Tensor {
    if (x.shape[x.rank - 1] !== this.dim) {
      throw new RangeError(
        `LayerNorm expects a last dimension of ${this.dim}, got input of shape [${x.shape}]`,
      );
    }
    return layerNorm(x, this.gain, this.bias, this.epsilon);
  }

  /** `gain` and `bias`. */
  protected override ownParameters(): Record<string, tf.Variable> {
    return { gain: this.gain, bias: this.bias };
  }
}

/** LayerNorm of `x` `(..., C)` with gain and bias `(C)`: the engine's kernels, or the formula. */
export function layerNorm(
  x: tf.Tensor,
  gain: tf.Tensor,
  bias: tf.Tensor,
  epsilon: number,
): tf.Tensor {
  requirePositiveNumber("layerNorm epsilon", epsilon);
  return fastLayerNorm(x, gain, bias, epsilon) ?? layerNormFormula(x, gain, bias, epsilon);
}

/** LayerNorm written out in tensor operations: `γ ⊙ (x − mean) / √(var + ε) + β` over the last axis. */
export function layerNormFormula(
  x: tf.Tensor,
  gain: tf.Tensor,
  bias: tf.Tensor,
  epsilon: number,
): tf.Tensor {
  requirePositiveNumber("layerNorm epsilon", epsilon);
  return tf.tidy(() => {
    const mean = x.mean(-1, true);
    const centred = x.sub(mean);
    const variance = centred.square().mean(-1, true);
    return centred.div(variance.add(epsilon).sqrt()).mul(gain).add(bias);
  });
}
