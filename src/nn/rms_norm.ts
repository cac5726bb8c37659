/**
 * RMS normalisation (Zhang & Sennrich, 2019), the norm of Llama, Mistral and Qwen: LayerNorm
 * without the centring and without the bias. Each token vector x (the last axis) is divided by
 * its root mean square and scaled by a learned gain γ (initially 1):
 *
 *     RMSNorm(x) = γ ⊙ x / √(mean(x²) + ε)
 *
 * One statistic per vector instead of two, and C fewer parameters per norm. On the wasm backend
 * the engine runs it as one kernel each way (`fastRmsNorm`); {@link rmsNormFormula} is the
 * fallback and the reference the tests hold the kernels to.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { fastRmsNorm } from "../engine/mod.ts";
import {
  MAX_TENSOR_SIZE,
  requirePositiveInteger,
  requirePositiveNumber,
} from "../runtime/checks.ts";
import { Module } from "./module.ts";

/** RMSNorm over the last axis. */
export class RMSNorm extends Module {
  /** γ, `(C)`. */
  readonly gain: tf.Variable;

  /** @param epsilon added to the mean square, so a zero vector does not divide by zero */
  constructor(readonly dim: number, readonly epsilon = 1e-5) {
    super();
    requirePositiveInteger("RMSNorm dim", dim, MAX_TENSOR_SIZE);
    requirePositiveNumber("RMSNorm epsilon", epsilon);
    this.gain = tf.tidy(() => tf.variable(tf.ones([dim])));
  }

  /** Normalise `x` of shape `(..., C)`. */
  apply(x: tf.Tensor): tf.Tensor {
    if (x.shape[x.rank - 1] !== this.dim) {
      throw new RangeError(
        `RMSNorm expects a last dimension of ${this.dim}, got input of shape [${x.shape}]`,
      );
    }
    return rmsNorm(x, this.gain, this.epsilon);
  }

  /** `gain`. */
  protected override ownParameters(): Record<string, tf.Variable> {
    return { gain: this.gain };
  }
}

/** RMSNorm of `x` `(..., C)` with gain `(C)`: the engine's kernels, or the formula. */
export function rmsNorm(x: tf.Tensor, gain: tf.Tensor, epsilon: number): tf.Tensor {
  requirePositiveNumber("rmsNorm epsilon", epsilon);
  return fastRmsNorm(x, gain, epsilon) ?? rmsNormFormula(x, gain, epsilon);
}

/** RMSNorm written out in tensor operations: `γ ⊙ x / √(mean(x²) + ε)` over the last axis. */
export function rmsNormFormula(x: tf.Tensor, gain: tf.Tensor, epsilon: number): tf.Tensor {
  requirePositiveNumber("rmsNorm epsilon", epsilon);
  return tf.tidy(() => x.div(x.square().mean(-1, true).add(epsilon).sqrt()).mul(gain));
}
