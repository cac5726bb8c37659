/**
 * The position-wise feed-forward network of a transformer block: the same two-layer network
 * applied to every token on its own, widening to `dFF` (usually 4 × C) and back:
 *
 *     FFN(x) = activation(x · W₁ + b₁) · W₂ + b₂
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { requireOneOf, requirePositiveInteger, requireTensorSize } from "../runtime/checks.ts";
import { fastGelu } from "../engine/mod.ts";
import { Linear, type LinearOptions } from "./linear.ts";
import { Module } from "./module.ts";

/** The activations on offer. */
export type Activation = "relu" | "gelu";

/** Throw unless `value` is one of the {@link Activation}s. */
export function requireActivation(what: string, value: unknown): asserts value is Activation {
  requireOneOf(what, value, ["relu", "gelu"]);
}

/** ReLU: max(0, x). */
export function relu(x: tf.Tensor): tf.Tensor {
  return tf.relu(x);
}

/**
 * GELU (exact form): x · Φ(x) = 0.5 · x · (1 + erf(x / √2)), as PyTorch's default `nn.GELU()`
 * (GPT-2 used its tanh approximation, within 5e-4 of it). The engine's kernel where it runs,
 * else {@link geluFormula}.
 */
export function gelu(x: tf.Tensor): tf.Tensor {
  return fastGelu(x) ?? geluFormula(x);
}

/** GELU written out in tensor operations, differentiated by TensorFlow.js. */
export function geluFormula(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => x.mul(0.5).mul(tf.erf(x.div(Math.SQRT2)).add(1)));
}

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
