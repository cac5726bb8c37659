/**
 * Dropout: while a model trains, each number of a layer's output is set to 0 with probability
 * `rate`, and the numbers kept are scaled by 1 / (1 − rate), so that each one's expected value
 * stays what it was ("inverted" dropout). No unit can count on any other being there, so the
 * model cannot lean on a few exact co-adaptations that fit the training text only.
 *
 *     training:    y = x ⊙ m / (1 − rate),   m ~ Bernoulli(1 − rate) per number
 *     evaluation:  y = x
 *
 * Evaluation and generation never drop. Whether a pass trains is said at each call
 * ({@link ForwardOptions}), never kept as a model's state, so a measurement cannot run with
 * dropout by mistake. At rate 0, or in evaluation, the input comes back as it is: no operation
 * is added. The masks are drawn from the course-wide generator (`runtime/random.ts`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { requireInRange } from "../runtime/checks.ts";
import { rng } from "../runtime/random.ts";

/** How a forward pass runs. */
export interface ForwardOptions {
  /** True in a training step: dropout drops. Default false: evaluation, nothing is dropped. */
  training?: boolean;
}

/** Throw unless `rate` is a dropout rate: a number in [0, 1). */
export function requireDropoutRate(what: string, rate: unknown): asserts rate is number {
  requireInRange(what, rate, 0, 1, "[)");
}

/**
 * `x` with each number dropped with probability `rate` and the rest scaled by 1 / (1 − rate),
 * in training (`options.training`); `x` itself in evaluation or at rate 0.
 */
export function dropout(x: tf.Tensor, rate: number, options: ForwardOptions = {}): tf.Tensor {
  requireDropoutRate("dropout rate", rate);
  if (rate === 0 || options.training !== true) return x;
  return tf.tidy(() => {
    const draws = tf.randomUniform(x.shape, 0, 1, "float32", rng.tfSeed());
    const kept = draws.greaterEqual(rate).cast("float32"); // 1 with probability 1 − rate
    return x.mul(kept.div(1 - rate));
  });
}
