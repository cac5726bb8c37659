/**
 * A linear (fully connected) layer: `y = x · W + b`, applied to the last axis; with a LoRA
 * adapter (`lora.ts`), `y = x · W + b + (α / r) · x · A · B`. For a layer with a bias and no
 * adapter, the engine may differentiate `x · W + b` as one operation (`fastLinear`: the same
 * numbers, fewer kernel calls).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { fastLinear } from "../engine/mod.ts";
import { requirePositiveInteger, requireTensorSize } from "../runtime/checks.ts";
import { rng } from "../runtime/random.ts";
import { requireInitStd } from "./checks.ts";
import type { LowRankAdapter } from "./lora.ts";
import { Module } from "./module.ts";

/** Options of {@link Linear}. */
export interface LinearOptions {
  /** Add a bias `b` (default true). */
  bias?: boolean;
  /** Standard deviation of the normal initialisation of `W` (default 0.02, as GPT-2). */
  initStd?: number;
}

/** `(..., inFeatures)` → `(..., outFeatures)`. */
export class Linear extends Module {
  /** The weight matrix, `(inFeatures, outFeatures)`. */
  readonly weight: tf.Variable;
  /** The bias, `(outFeatures)`, if any. */
  readonly bias?: tf.Variable;
  /** A LoRA adapter whose low-rank update is added to the output (see `lora.ts`); none at first. */
  adapter?: LowRankAdapter;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    super();
    requirePositiveInteger("Linear inFeatures", inFeatures);
    requirePositiveInteger("Linear outFeatures", outFeatures);
    requireTensorSize("Linear inFeatures × outFeatures", [inFeatures, outFeatures]);
    const initStd = options.initStd ?? 0.02;
    requireInitStd("Linear initStd", initStd);
    this.weight = tf.tidy(() =>
      tf.variable(
        tf.randomNormal([inFeatures, outFeatures], 0, initStd, "float32", rng.tfSeed()),
      )
    );
    if (options.bias ?? true) this.bias = tf.tidy(() => tf.variable(tf.zeros([outFeatures])));
  }

  /** Apply to `x` of shape `(..., inFeatures)`. */
  apply(x: tf.Tensor): tf.Tensor {
    const last = x.shape[x.rank - 1];
    if (last !== this.inFeatures) {
      throw new RangeError(
        `Linear expects a last dimension of ${this.inFeatures}, got input of shape [${x.shape}]`,
      );
    }
    return tf.tidy(() => {
      if (this.bias && !this.adapter) {
        // The engine's x · W + b, differentiated in one piece: the same numbers as below.
        const fast = fastLinear(x, this.weight, this.bias);
        if (fast) return fast;
      }
      // Fold every leading axis into one: a single 2-D product, the fastest kind.
      const flat = x.reshape([-1, this.inFeatures]);
      let y = flat.matMul(this.weight);
      if (this.bias) y = y.add(this.bias);
      if (this.adapter) y = y.add(this.adapter.apply(flat as tf.Tensor2D));
      return y.reshape([...x.shape.slice(0, -1), this.outFeatures]);
    });
  }

  /** Own variables: `weight` and `bias`. */
  protected override ownParameters(): Record<string, tf.Variable> {
    return this.bias ? { weight: this.weight, bias: this.bias } : { weight: this.weight };
  }

  /** The adapter, if one is attached. */
  protected override submodules(): Record<string, Module> {
    return this.adapter ? { adapter: this.adapter } : {};
  }
}
