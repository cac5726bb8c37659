/**
 * Gradient clipping by global norm: if the gradients of all parameters together, seen as one
 * long vector, are longer than `maxNorm`, scale them all down to that length. A rare huge
 * gradient then cannot throw the weights far off, and directions are kept.
 *
 * The norm is summed in float64 over the numbers themselves (a training step reads its
 * gradients off the backend once anyway, for the optimizer): {@link globalNorm} and
 * {@link clipScale} are what a step uses, {@link clipByGlobalNorm} the same on tensors.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { requireInRange } from "../runtime/checks.ts";

/** √(Σ g²) over every number of every array, summed in float64. */
export function globalNorm(gradients: Iterable<ArrayLike<number>>): number {
  let sum = 0;
  for (const g of gradients) {
    for (let i = 0; i < g.length; i++) sum += g[i] * g[i];
  }
  return Math.sqrt(sum);
}

/** The factor that brings gradients of norm `norm` down to at most `maxNorm`: `min(1, maxNorm / (norm + 1e-6))`. */
export function clipScale(norm: number, maxNorm: number): number {
  requireInRange("gradient norm", norm, 0, Infinity, "[)");
  requireInRange("maxNorm (the clipping norm)", maxNorm, 0, Infinity, "(]");
  return Math.min(1, maxNorm / (norm + 1e-6));
}

/** The clipped gradients and the norm they had. */
export interface Clipped {
  /** Gradients scaled by {@link clipScale}. */
  gradients: Record<string, tf.Tensor>;
  /** Their global norm before clipping. */
  norm: number;
}

/** Clip `gradients` to a global norm of at most `maxNorm` (new tensors; the inputs are kept). */
export function clipByGlobalNorm(gradients: Record<string, tf.Tensor>, maxNorm: number): Clipped {
  const norm = globalNorm(Object.values(gradients).map((g) => g.dataSync()));
  const scale = clipScale(norm, maxNorm);
  const clipped: Record<string, tf.Tensor> = {};
  for (const [name, g] of Object.entries(gradients)) clipped[name] = tf.mul(g, scale);
  return { gradients: clipped, norm };
}
