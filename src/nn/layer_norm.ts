/**
 * Layer normalisation, from its formula: for each token vector x (the last axis),
 *
 *     LN(x) = γ ⊙ (x − mean(x)) / √(var(x) + ε) + β
 *
 * with the mean and the (biased) variance over the vector's C numbers, and a learned gain γ
 * (initially 1) and bias β (initially 0). It keeps every token's vector at a steady scale, which
 * lets deep stacks train.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { requirePositiveInteger } from "./checks.ts";
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
    requirePositiveInteger("LayerNorm dim", dim);
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
    return tf.tidy(() => {
      const mean = x.mean(-1, true);
      const centred = x.sub(mean);
      const variance = centred.square().mean(-1, true);
      return centred.div(variance.add(this.epsilon).sqrt()).mul(this.gain).add(this.bias);
    });
  }

  /** `gain` and `bias`. */
  protected override ownParameters(): Record<string, tf.Variable> {
    return { gain: this.gain, bias: this.bias };
  }
}
