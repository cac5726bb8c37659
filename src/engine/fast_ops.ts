/**
 * The fast paths the readable core may take: each function runs one operation by the course's
 * WebAssembly kernels when they are registered for the current backend (`initCourse`, on wasm)
 * and the inputs are float32, and returns `undefined` otherwise, so the caller falls back to
 * the plain formula it states:
 *
 *     fastLayerNorm(x, γ, β, ε) ?? layerNormFormula(x, γ, β, ε)
 *
 * Each kernel computes its value and what its gradient needs in one pass forward and one
 * backward; tests check both against the formulas and against finite differences. Attention
 * ({@link fastAttention}) gives its output and its weights: `undefined` or both.
 *
 * Attention and cross-entropy take their kernels only when {@link useFusedKernels} says so
 * (`initCourse({ fusedKernels: true })`; off by default). A training run's numbers depend on
 * the order of every sum, so each recipe says which way its checkpoint was trained
 * (`TrainingSettings.fusedKernels`), and a lesson's full run reproduces it either way.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { ATTENTION_GRAD_KERNEL, ATTENTION_KERNEL, attentionKernelFits } from "./wasm/attention.ts";
import { CROSS_ENTROPY_GRAD_KERNEL, CROSS_ENTROPY_KERNEL } from "./wasm/cross_entropy.ts";
import { GELU_KERNEL } from "./wasm/gelu.ts";
import {
  LAYER_NORM_GRAD_KERNEL,
  LAYER_NORM_KERNEL,
  RMS_NORM_GRAD_KERNEL,
  RMS_NORM_KERNEL,
} from "./wasm/norms.ts";
import { ROTARY_KERNEL, rotaryKernelFits } from "./wasm/rotary.ts";

/** Whether attention and cross-entropy run by their kernels. */
let fused = false;

/**
 * Let attention and cross-entropy run by their kernels (`true`) or by their formulas (`false`,
 * the default); returns the setting before.
 */
export function useFusedKernels(on: boolean): boolean {
  const before = fused;
  fused = on;
  return before;
}

/** Whether attention and cross-entropy run by their kernels where they can. */
export function fusedKernelsInUse(): boolean {
  return fused;
}

/** Whether `kernel` is registered for the current backend and every input is float32. */
function usable(kernel: string, inputs: readonly tf.Tensor[]): boolean {
  return tf.getKernel(kernel, tf.getBackend()) !== undefined &&
    inputs.every((t) => t.dtype === "float32");
}

/**
 * A norm by its two kernels: `forward` takes the named `inputs` (`x`, `gain`, and `bias` for
 * LayerNorm) and `epsilon` and gives y, x̂ and 1/σ; `backward` takes dy, x̂, 1/σ and γ and gives
 * the gradient of each input, in the same order.
 */
function normByKernels(
  forward: string,
  backward: string,
  inputs: Record<string, tf.Tensor>,
  epsilon: number,
): tf.Tensor {
  const names = Object.keys(inputs);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const given = Object.fromEntries(names.map((name, i) => [name, args[i] as tf.Tensor]));
    const [y, normalised, inverseSigma] = tf.engine().runKernel(forward, given, {
      epsilon,
    }) as tf.Tensor[];
    (args[names.length] as tf.GradSaveFunc)([normalised, inverseSigma, given.gain]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, [normalised, inverseSigma, gain]: tf.Tensor[]) =>
        tf.engine().runKernel(backward, { dy, normalised, inverseSigma, gain }) as tf.Tensor[],
    };
  });
  return op(...names.map((name) => inputs[name]));
}

/**
 * LayerNorm of `x` `(..., C)` with gain and bias `(C)` by one kernel forward and one backward,
 * or `undefined` where the kernels cannot run. The backward, with x̂ = (x − mean) / σ and
 * g = dy ⊙ γ per vector: dβ = Σ dy, dγ = Σ dy ⊙ x̂, dx = (g − mean(g) − x̂ ⊙ mean(g ⊙ x̂)) / σ.
 */
export function fastLayerNorm(
  x: tf.Tensor,
  gain: tf.Tensor,
  bias: tf.Tensor,
  epsilon: number,
): tf.Tensor | undefined {
  if (!usable(LAYER_NORM_KERNEL, [x, gain, bias])) return undefined;
  return normByKernels(LAYER_NORM_KERNEL, LAYER_NORM_GRAD_KERNEL, { x, gain, bias }, epsilon);
}

/**
 * RMSNorm of `x` `(..., C)` with gain `(C)` by one kernel forward and one backward, or
 * `undefined` where the kernels cannot run. The backward is LayerNorm's without the centring:
 * with x̂ = x / σ and g = dy ⊙ γ, dγ = Σ dy ⊙ x̂ and dx = (g − x̂ ⊙ mean(g ⊙ x̂)) / σ.
 */
export function fastRmsNorm(
  x: tf.Tensor,
  gain: tf.Tensor,
  epsilon: number,
): tf.Tensor | undefined {
  if (!usable(RMS_NORM_KERNEL, [x, gain])) return undefined;
  return normByKernels(RMS_NORM_KERNEL, RMS_NORM_GRAD_KERNEL, { x, gain }, epsilon);
}

/** GELU by its kernel, which also gives GELU′(x): kept for the backward pass, `dy · GELU′(x)`. */
const geluKernel = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor;
  const [y, slope] = tf.engine().runKernel(GELU_KERNEL, { x }) as tf.Tensor[];
  (args[1] as tf.GradSaveFunc)([slope]);
  return {
    value: y,
    gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) => tf.mul(dy, saved),
  };
});

/** Exact GELU of `x` by one kernel (value and slope at once), or `undefined` where it cannot run. */
export function fastGelu(x: tf.Tensor): tf.Tensor | undefined {
  return usable(GELU_KERNEL, [x]) ? geluKernel(x) : undefined;
}

/**
 * `x` `(..., T, d)` with each pair of numbers turned by its angle, from tables `cos` and `sin`
 * `(T, d)` (each angle twice), by one kernel, or `undefined` where it cannot run. The gradient
 * of a rotation is the rotation back: the same kernel with the signs of sin the other way. The
 * tables are constants here: they get no gradient.
 */
export function fastRotary(x: tf.Tensor, cos: tf.Tensor, sin: tf.Tensor): tf.Tensor | undefined {
  if (!usable(ROTARY_KERNEL, [x, cos, sin]) || !rotaryKernelFits(x.shape, cos.shape)) {
    return undefined;
  }
  const turn = (t: tf.Tensor, tables: tf.Tensor[], inverse: boolean) =>
    tf.engine().runKernel(ROTARY_KERNEL, { x: t, cos: tables[0], sin: tables[1] }, {
      inverse,
    }) as tf.Tensor;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    (args[1] as tf.GradSaveFunc)([cos, sin]);
    return {
      value: turn(args[0] as tf.Tensor, [cos, sin], false),
      gradFunc: (dy: tf.Tensor, tables: tf.Tensor[]) => turn(dy, tables, true),
    };
  });
  return op(x);
}

/**
 * `softmax(Q · Kᵀ / √d + mask) · V` and its weights by one kernel forward and one backward
 * (`wasm/attention.ts`), or `undefined` where it cannot run or is not in use
 * ({@link useFusedKernels}): another backend, a head size that is
 * not a multiple of 4 (or above 64), batches that differ between q, k and v, a mask that is not
 * `(…, 1 or Tq, Tk)`. Shapes as `scaledDotProductAttention`'s; its mask checks come first.
 *
 * The kernel gives the output and the weights at once; each gets its gradient from a custom
 * gradient of its own, both from the weights the forward pass kept: the output's (dq, dk, dv
 * from dy, one kernel) and the weights' (dq, dk from their own gradient, the same kernel with
 * dy = 0), used only when something differentiates through the weights. (One operation with
 * both outputs would cost, in every training step, a tensor of zeros the size of the weights
 * for the gradient they do not get.) The mask (1: may look, 0: may not) gets no gradient.
 */
export function fastAttention(
  q: tf.Tensor,
  k: tf.Tensor,
  v: tf.Tensor,
  mask?: tf.Tensor,
): { output: tf.Tensor; weights: tf.Tensor } | undefined {
  if (
    !fused || !usable(ATTENTION_KERNEL, [q, k, v]) ||
    !attentionKernelFits(q.shape, k.shape, v.shape, mask?.shape)
  ) {
    return undefined;
  }
  const scale = 1 / Math.sqrt(q.shape[q.rank - 1]);
  return tf.tidy(() => {
    const inputs: tf.NamedTensorMap = { q, k, v };
    if (mask !== undefined) inputs.mask = mask.dtype === "float32" ? mask : mask.cast("float32");
    const [output, weights] = tf.engine().runKernel(ATTENTION_KERNEL, inputs, {
      scale,
    }) as tf.Tensor[];
    /** The gradient kernel on saved q, k, v and weights, for dy and the weights' own gradient. */
    const backward = (saved: tf.Tensor[], dy: tf.Tensor, dWeights?: tf.Tensor) => {
      const [qs, ks, vs, weightsSaved] = saved;
      const given: tf.NamedTensorMap = { dy, q: qs, k: ks, v: vs, weights: weightsSaved };
      if (dWeights !== undefined) given.dWeights = dWeights;
      return tf.engine().runKernel(ATTENTION_GRAD_KERNEL, given, { scale }) as tf.Tensor[];
    };
    const withGradient = (
      value: tf.Tensor,
      gradient: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[],
    ) =>
      tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
        (args[3] as tf.GradSaveFunc)([...(args.slice(0, 3) as tf.Tensor[]), weights]);
        return { value: value.clone(), gradFunc: gradient };
      })(q, k, v);
    return {
      output: withGradient(output, (dy, saved) => backward(saved, dy)),
      weights: withGradient(
        weights,
        (dWeights, saved) => backward(saved, tf.zeros(output.shape), dWeights),
      ),
    };
  });
}

/**
 * The mean cross-entropy of `targets` `(N)` (int32 ids, checked by the caller) under `logits`
 * `(N, V)`, with label smoothing `smoothing` and rows whose target is `ignoreId` left out, by one
 * kernel forward and one backward (`wasm/cross_entropy.ts`), or `undefined` where it cannot run
 * or is not in use ({@link useFusedKernels}).
 * The forward pass keeps each row's log-sum-exp; the backward recomputes the softmax from it.
 */
export function fastCrossEntropy(
  logits: tf.Tensor2D,
  targets: tf.Tensor1D,
  smoothing: number,
  ignoreId?: number,
): tf.Scalar | undefined {
  if (!fused || !usable(CROSS_ENTROPY_KERNEL, [logits]) || targets.dtype !== "int32") {
    return undefined;
  }
  const attrs = { smoothing, ignoring: ignoreId !== undefined, ignoreId: ignoreId ?? 0 };
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor;
    const [loss, logSumExp] = tf.engine().runKernel(
      CROSS_ENTROPY_KERNEL,
      { logits: x, targets },
      attrs,
    ) as tf.Tensor[];
    (args[1] as tf.GradSaveFunc)([x, logSumExp, targets]);
    return {
      value: loss,
      gradFunc: (dy: tf.Tensor, [saved, lse, ids]: tf.Tensor[]) =>
        tf.engine().runKernel(
          CROSS_ENTROPY_GRAD_KERNEL,
          { dy, logits: saved, targets: ids, logSumExp: lse },
          attrs,
        ) as tf.Tensor,
    };
  });
  return op(logits) as tf.Scalar;
}
