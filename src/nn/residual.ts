/**
 * Add & Norm: a residual connection around a sub-layer, with layer normalisation before or after.
 *
 * - **post-norm** (the original transformer): `LN(x + F(x))`;
 * - **pre-norm** (GPT-2 and most models since): `x + F(LN(x))`. The residual path `x → x` then
 *   carries no normalisation at all, so gradients reach early layers undiminished, and deep
 *   stacks train without a careful warm-up.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { LayerNorm } from "./layer_norm.ts";

/** Where the LayerNorm goes. */
export type NormOrder = "post" | "pre";

/** `x + F(x)` with `norm` placed as `order` says (see the module doc). */
export function addAndNorm(
  x: tf.Tensor,
  sublayer: (h: tf.Tensor) => tf.Tensor,
  norm: LayerNorm,
  order: NormOrder,
): tf.Tensor {
  if (order === "pre") return x.add(sublayer(norm.apply(x)));
  if (order === "post") return norm.apply(x.add(sublayer(x)));
  throw new RangeError(`norm order must be "pre" or "post", got ${JSON.stringify(order)}`);
}
