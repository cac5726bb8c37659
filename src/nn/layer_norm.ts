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
 * backward, and a transformer has two per block: on small models the calls cost more than the
 * arithmetic. So on the wasm backend it runs as one kernel forward and one backward
 * (`runtime/wasm_layer_norm.ts`), with the gradient written out. With x̂ = (x − mean) / σ,
 * σ = √(var + ε), and the upstream gradient dy, per vector:
 *
 *     dβ = Σ dy          dγ = Σ dy ⊙ x̂          (summed over all vectors)
 *     dx = (g − mean(g) − x̂ ⊙ mean(g ⊙ x̂)) / σ    with g = dy ⊙ γ
 *
 * (the two means are what normalising takes back: shifting all of x, or scaling it, changes
 * nothing). Elsewhere it is {@link layerNormFormula}, differentiated by TensorFlow.js. Tests
 * check the kernels against the formula in float64 and against finite differences.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { LAYER_NORM_GRAD_KERNEL, LAYER_NORM_KERNEL } from "../runtime/wasm_layer_norm.ts";
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

/**
 * LayerNorm of `x` `(..., C)` with gain and bias `(C)`: on wasm by its two kernels, elsewhere
 * (and for tensors that are not float32) by {@link layerNormFormula}.
 */
export function layerNorm(
  x: tf.Tensor,
  gain: tf.Tensor,
  bias: tf.Tensor,
  epsilon: number,
): tf.Tensor {
  requirePositiveNumber("layerNorm epsilon", epsilon);
  const kernels = tf.getKernel(LAYER_NORM_KERNEL, tf.getBackend()) !== undefined;
  if (!kernels || [x, gain, bias].some((t) => t.dtype !== "float32")) {
    return layerNormFormula(x, gain, bias, epsilon);
  }
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, gain, bias] = args as tf.Tensor[];
    const [y, normalised, inverseSigma] = tf.engine().runKernel(
      LAYER_NORM_KERNEL,
      { x, gain, bias },
      { epsilon },
    ) as tf.Tensor[];
    (args[3] as tf.GradSaveFunc)([normalised, inverseSigma, gain]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, [normalised, inverseSigma, gain]: tf.Tensor[]) =>
        tf.engine().runKernel(LAYER_NORM_GRAD_KERNEL, {
          dy,
          normalised,
          inverseSigma,
          gain,
        }) as tf.Tensor[],
    };
  });
  return op(x, gain, bias);
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
