/**
 * The position-wise feed-forward network of a transformer block: the same two-layer network
 * applied to every token on its own, widening to `dFF` (usually 4 × C) and back:
 *
 *     FFN(x) = activation(x · W₁ + b₁) · W₂ + b₂
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { describeValue, requirePositiveInteger, requireTensorSize } from "../runtime/checks.ts";
import { GELU_KERNEL } from "../runtime/wasm_gelu.ts";
import { Linear, type LinearOptions } from "./linear.ts";
import { Module } from "./module.ts";

/** The activations on offer. */
export type Activation = "relu" | "gelu";

/** Throw unless `value` is one of the {@link Activation}s. */
export function requireActivation(what: string, value: unknown): asserts value is Activation {
  if (value !== "relu" && value !== "gelu") {
    throw new RangeError(`${what} must be "relu" or "gelu", got ${describeValue(value)}`);
  }
}

/** ReLU: max(0, x). */
export function relu(x: tf.Tensor): tf.Tensor {
  return tf.relu(x);
}

/**
 * GELU (exact form): x · Φ(x) = 0.5 · x · (1 + erf(x / √2)), as PyTorch's default `nn.GELU()`
 * (GPT-2 used its tanh approximation, within 5e-4 of it).
 *
 * On the wasm backend one kernel computes it and its derivative (`runtime/wasm_gelu.ts`), and
 * the gradient is `dy · GELU′(x)`; elsewhere, and for tensors that are not float32, it is
 * {@link geluFormula}.
 */
export function gelu(x: tf.Tensor): tf.Tensor {
  if (x.dtype !== "float32" || tf.getKernel(GELU_KERNEL, tf.getBackend()) === undefined) {
    return geluFormula(x);
  }
  return geluKernels(x);
}

/** GELU written out in tensor operations, differentiated by TensorFlow.js. */
export function geluFormula(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => x.mul(0.5).mul(tf.erf(x.div(Math.SQRT2)).add(1)));
}

/** GELU by its kernel, which also gives GELU′(x): kept for the backward pass, `dy · GELU′(x)`. */
const geluKernels = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor;
  const [y, slope] = tf.engine().runKernel(GELU_KERNEL, { x }) as tf.Tensor[];
  (args[1] as tf.GradSaveFunc)([slope]);
  return {
    value: y,
    gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) => tf.mul(dy, saved),
  };
});

/** `(..., C)` → `(..., dFF)` → activation → `(..., C)`. */
export class FeedForward extends Module {
  /** W₁, b₁: C → dFF. */
  readonly up: Linear;
  /** W₂, b₂: dFF → C. */
  readonly down: Linear;

  constructor(
    readonly dModel: number,
    readonly dFF: number,
    readonly activation: Activation = "gelu",
    options: LinearOptions = {},
  ) {
    super();
    requirePositiveInteger("FeedForward dModel", dModel);
    requirePositiveInteger("FeedForward dFF", dFF);
    requireTensorSize("FeedForward dModel × dFF", [dModel, dFF]);
    requireActivation("activation", activation);
    this.up = new Linear(dModel, dFF, options);
    this.down = new Linear(dFF, dModel, options);
  }

  /** Apply to `x` of shape `(..., C)`. */
  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const hidden = this.up.apply(x); // (..., dFF)
      return this.down.apply(this.activation === "relu" ? relu(hidden) : gelu(hidden));
    });
  }

  /** `up` and `down`. */
  protected override submodules(): Record<string, Linear> {
    return { up: this.up, down: this.down };
  }
}
