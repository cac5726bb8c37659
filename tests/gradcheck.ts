/**
 * Gradient checks: compare tfjs's analytic gradient with central finite differences,
 * (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h, for every entry of x.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** The largest disagreement found, relative to the gradient's size. */
export interface GradCheckResult {
  /** max |analytic − numeric| / (1e-3 + |analytic|) over all entries. */
  worst: number;
  /** Number of entries checked. */
  checked: number;
}

/**
 * Check the gradient of the scalar `f` at `x`. Float32 arithmetic limits the precision: with
 * h = 1e-2 the two agree to about 1e-3 relative for smooth functions of moderate size.
 */
export function gradCheck(f: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor, h = 1e-2): GradCheckResult {
  return tf.tidy(() => {
    const analytic = tf.grad(f)(x).dataSync();
    const base = x.dataSync().slice();
    let worst = 0;
    for (let i = 0; i < base.length; i++) {
      const at = (delta: number) => {
        const shifted = base.slice();
        shifted[i] += delta;
        return tf.tidy(() => f(tf.tensor(shifted, x.shape)).dataSync()[0]);
      };
      const numeric = (at(h) - at(-h)) / (2 * h);
      worst = Math.max(worst, Math.abs(analytic[i] - numeric) / (1e-3 + Math.abs(analytic[i])));
    }
    return { worst, checked: base.length };
  });
}
