/**
 * The gated feed-forward network of Llama, Mistral and Qwen (SwiGLU, Shazeer 2020): one linear
 * map, through SiLU, gates another, element by element, before the map back down:
 *
 *     FFN(x) = (SiLU(x · W_gate) ⊙ (x · W_up)) · W_down,    SiLU(z) = z · σ(z)
 *
 * Three matrices instead of the MLP's two, so for the same parameters the hidden width is two
 * thirds of the MLP's 4C: 8C/3 ({@link swigluWidth}).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { requirePositiveInteger, requireTensorSize } from "../runtime/checks.ts";
import { Linear, type LinearOptions } from "./linear.ts";
import { Module } from "./module.ts";

/** SiLU (also called swish): z · σ(z). */
export function silu(z: tf.Tensor): tf.Tensor {
  return tf.tidy(() => z.mul(tf.sigmoid(z)));
}

/**
 * The hidden width that gives SwiGLU the parameters of an MLP of width 4C: ⌊8C/3⌋, rounded up to
 * a multiple of `multipleOf` (Llama rounds to 256: C = 4096 gives 11,008).
 */
export function swigluWidth(dModel: number, multipleOf = 1): number {
  requirePositiveInteger("swigluWidth dModel", dModel);
  requirePositiveInteger("swigluWidth multipleOf", multipleOf);
  const width = Math.floor((8 * dModel) / 3);
  return multipleOf * Math.ceil(width / multipleOf);
}

/** `(..., C)` → two maps to `(..., dFF)`, one gating the other → `(..., C)`. */
export class SwiGLU extends Module {
  /** W_gate: C → dFF, through SiLU. */
  readonly gate: Linear;
  /** W_up: C → dFF, the gated values. */
  readonly up: Linear;
  /** W_down: dFF → C. */
  readonly down: Linear;

  constructor(readonly dModel: number, readonly dFF: number, options: LinearOptions = {}) {
    super();
    requirePositiveInteger("SwiGLU dModel", dModel);
    requirePositiveInteger("SwiGLU dFF", dFF);
    requireTensorSize("SwiGLU dModel × dFF", [dModel, dFF]);
    this.gate = new Linear(dModel, dFF, options);
    this.up = new Linear(dModel, dFF, options);
    this.down = new Linear(dFF, dModel, options);
  }

  /** Apply to `x` of shape `(..., C)`. */
  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.down.apply(silu(this.gate.apply(x)).mul(this.up.apply(x)))); // (..., C)
  }

  /** `gate`, `up` and `down`. */
  protected override submodules(): Record<string, Linear> {
    return { gate: this.gate, up: this.up, down: this.down };
  }
}
