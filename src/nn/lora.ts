/**
 * LoRA, low-rank adaptation (Hu et al., 2021): fine-tune a linear layer `y = x · W + b` without
 * changing `W`. Beside the frozen `(in, out)` matrix W it learns two thin ones, A `(in, r)` and
 * B `(r, out)` with a small rank r, and computes
 *
 *     y = x · W + b + (α / r) · (x · A) · B
 *
 * so the change it learns, ΔW = (α / r) · A · B, has rank at most r and costs r · (in + out)
 * numbers instead of in · out. B starts at zero: before the first step ΔW = 0 and the layer is
 * exactly the pretrained one. After training, {@link mergeLoRA} folds ΔW into W, and the layer
 * is a plain linear layer again, as fast as before, with the same outputs.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { requirePositiveInteger, requirePositiveNumber } from "../runtime/checks.ts";
import { rng } from "../runtime/random.ts";
import type { Linear } from "./linear.ts";
import { freeOnFailure, Module } from "./module.ts";

/** The rank and scale of LoRA adapters. */
export interface LoRAOptions {
  /** The rank r of A · B. */
  rank: number;
  /** α: the update is scaled by α / r (so changing r does not change the step size much). */
  alpha: number;
}

/** The learned low-rank update of one linear layer: `x ↦ (α / r) · (x · A) · B`. */
export class LowRankAdapter extends Module {
  /** A, `(in, r)`: drawn with standard deviation 1/√in, so `x · A` keeps the scale of `x`. */
  readonly down: tf.Variable;
  /** B, `(r, out)`: zeros, so that the adapter starts as no change at all. */
  readonly up: tf.Variable;
  /** α / r. */
  readonly scale: number;

  constructor(inFeatures: number, outFeatures: number, options: LoRAOptions) {
    super();
    requirePositiveInteger("LoRA rank", options.rank);
    requirePositiveNumber("LoRA alpha", options.alpha);
    if (options.rank > Math.min(inFeatures, outFeatures)) {
      throw new RangeError(
        `LoRA rank ${options.rank} is more than the layer's smaller side ` +
          `(${inFeatures} × ${outFeatures}): a low-rank update needs r ≤ ${
            Math.min(inFeatures, outFeatures)
          }`,
      );
    }
    this.scale = options.alpha / options.rank;
    const std = 1 / Math.sqrt(inFeatures);
    this.down = tf.tidy(() =>
      tf.variable(tf.randomNormal([inFeatures, options.rank], 0, std, "float32", rng.tfSeed()))
    );
    this.up = tf.tidy(() => tf.variable(tf.zeros([options.rank, outFeatures])));
  }

  /** `(N, in)` → `(N, out)`: the update's share of the layer's output. */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => x.matMul(this.down).matMul(this.up).mul(this.scale)); // (N, r) → (N, out)
  }

  /** ΔW = (α / r) · A · B, `(in, out)`. */
  delta(): tf.Tensor2D {
    return tf.tidy(() => this.down.matMul(this.up).mul(this.scale) as tf.Tensor2D);
  }

  /** Own variables: `down` (A) and `up` (B). */
  protected override ownParameters(): Record<string, tf.Variable> {
    return { down: this.down, up: this.up };
  }
}

/**
 * Give each of `layers` a fresh adapter (its parameters named `<layer>.adapter.down` and
 * `.up`); the layers' own weights are left as they are (freeze them to train only the adapters).
 */
export function addLoRA(layers: readonly Linear[], options: LoRAOptions): void {
  if (layers.some((layer) => layer.adapter !== undefined)) {
    throw new Error("addLoRA: a layer has an adapter already; merge or remove it first");
  }
  // Every adapter is made before any is attached: a rank too large for one layer changes none.
  const adapters = freeOnFailure(() =>
    layers.map((layer) => new LowRankAdapter(layer.inFeatures, layer.outFeatures, options))
  );
  layers.forEach((layer, i) => (layer.adapter = adapters[i]));
}

/**
 * Fold each layer's adapter into its weights (`W ← W + ΔW`) and remove it: the layer computes the
 * same outputs, up to float32 rounding, as one plain matrix product.
 */
export function mergeLoRA(layers: readonly Linear[]): void {
  if (layers.some((layer) => layer.adapter === undefined)) {
    throw new Error("mergeLoRA: a layer has no adapter to merge");
  }
  for (const layer of layers) {
    const adapter = layer.adapter!;
    tf.tidy(() => layer.weight.assign(layer.weight.add(adapter.delta())));
    layer.adapter = undefined;
    adapter.dispose();
  }
}
