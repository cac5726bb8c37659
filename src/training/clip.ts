/**
 * Gradient clipping by global norm: if the gradients of all parameters together, seen as one
 * long vector, are longer than `maxNorm`, scale them all down to that length. A rare huge
 * gradient then cannot throw the weights far off, and directions are kept.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** The clipped gradients and the norm they had. */
export interface Clipped {
  /** Gradients scaled by `min(1, maxNorm / norm)`. */
  gradients: Record<string, tf.Tensor>;
  /** Their global norm before clipping, a scalar. */
  norm: tf.Scalar;
}

/** Clip `gradients` to a global norm of at most `maxNorm` (new tensors; the inputs are kept). */
export function clipByGlobalNorm(gradients: Record<string, tf.Tensor>, maxNorm: number): Clipped {
  return tf.tidy(() => {
    const squares = Object.values(gradients).map((g) => g.square().sum());
    const norm = tf.addN(squares).sqrt() as tf.Scalar;
    const scale = tf.minimum(1, tf.div(maxNorm, norm.add(1e-6)));
    const clipped: Record<string, tf.Tensor> = {};
    for (const [name, g] of Object.entries(gradients)) clipped[name] = g.mul(scale);
    return { gradients: clipped, norm };
  });
}
