/**
 * Add & Norm: a residual connection around a sub-layer, with normalisation before or after.
 *
 * - **post-norm** (the original transformer): `Norm(x + F(x))`;
 * - **pre-norm** (GPT-2 and most models since): `x + F(Norm(x))`. The residual path `x → x` then
 *   carries no normalisation at all, so gradients reach early layers undiminished, and deep
 *   stacks train without a careful warm-up.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { Norm } from "./block_parts.ts";

/** Where the normalisation goes. */
export type NormPlacement = "post" | "pre";

/** `x + F(x)` with `norm` placed as `placement` says (see the module doc). */
export function addAndNorm(
  x: tf.Tensor,
  sublayer: (h: tf.Tensor) => tf.Tensor,
  norm: Norm,
  placement: NormPlacement,
): tf.Tensor {
  if (placement === "pre") return x.add(sublayer(norm.apply(x)));
  if (placement === "post") return norm.apply(x.add(sublayer(x)));
  throw new RangeError(
    `norm placement must be "pre" or "post", got ${JSON.stringify(placement)}`,
  );
}
