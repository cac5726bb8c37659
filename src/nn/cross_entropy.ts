/**
 * Cross-entropy, the loss of a language model: how surprised the model is by the right answer.
 *
 * For each position, the logits are turned into probabilities (softmax) and the loss is
 * −log p(target). Averaged over positions. A model that guesses uniformly over V tokens scores
 * ln V; a perfect one scores 0.
 *
 * {@link crossEntropyFormula} is the formula in tensor operations, and the reference; on the wasm
 * backend, with `initCourse({ fusedKernels: true })`, the engine computes the same loss by one
 * kernel forward and one backward (`fastCrossEntropy`), within float32 rounding of it.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { fastCrossEntropy } from "../engine/mod.ts";
import { requireIds, requireInRange, requireInteger } from "../runtime/checks.ts";

/** Options of {@link crossEntropy}. */
export interface CrossEntropyOptions {
  /** Positions whose target is this id (padding) are left out of the mean. */
  ignoreId?: number;
  /**
   * Label smoothing ε: the target distribution puts 1 − ε on the right token and spreads ε
   * evenly over all V tokens, so the model is not pushed towards infinite confidence.
   */
  labelSmoothing?: number;
}

/**
 * Mean cross-entropy of `targets` under `logits`: −mean log softmax(logits)[target], or with
 * label smoothing ε, −mean[(1 − ε) log p(target) + ε · mean over the vocabulary of log p].
 * `logits` `(…, V)`, `targets` `(…)` int32, each target an id in `[0, V)` or the ignore id.
 */
export function crossEntropy(
  logits: tf.Tensor,
  targets: tf.Tensor,
  options: CrossEntropyOptions = {},
): tf.Scalar {
  const smoothing = options.labelSmoothing ?? 0;
  requireInRange("labelSmoothing", smoothing, 0, 1, "[)");
  if (options.ignoreId !== undefined) requireInteger("ignoreId", options.ignoreId);
  const V = logits.shape[logits.rank - 1];
  const expected = logits.shape.slice(0, -1);
  if (logits.rank < 1 || targets.shape.join(",") !== expected.join(",")) {
    throw new RangeError(
      `crossEntropy needs logits (…, V) and targets (…) of the same leading shape: got logits ` +
        `[${logits.shape}] and targets [${targets.shape}], expected targets [${expected}]`,
    );
  }
  if (targets.dtype !== "int32") {
    throw new TypeError(`crossEntropy targets must be int32 ids, got ${targets.dtype}`);
  }
  requireIds("target", targets.dataSync(), V, options.ignoreId);
  return tf.tidy(() => {
    const flatLogits = logits.reshape([-1, V]) as tf.Tensor2D;
    const flatTargets = targets.reshape([-1]) as tf.Tensor1D;
    return fastCrossEntropy(flatLogits, flatTargets, smoothing, options.ignoreId) ??
      crossEntropyFormula(flatLogits, flatTargets, options);
  });
}

/**
 * The formula of {@link crossEntropy} in tensor operations, on logits `(N, V)` and targets `(N)`,
 * without the checks: what it computes where the engine's kernel cannot run, and the reference
 * the kernel is tested against.
 */
export function crossEntropyFormula(
  logits: tf.Tensor2D,
  targets: tf.Tensor1D,
  options: CrossEntropyOptions = {},
): tf.Scalar {
  const smoothing = options.labelSmoothing ?? 0;
  return tf.tidy(() => {
    const V = logits.shape[1];
    const logProbs = tf.logSoftmax(logits); // (N, V)
    let perPosition = logProbs.mul(tf.oneHot(targets, V)).sum(-1); // (N): log p(target)
    if (smoothing > 0) {
      perPosition = perPosition.mul(1 - smoothing).add(logProbs.mean(-1).mul(smoothing));
    }
    if (options.ignoreId === undefined) return perPosition.mean().neg() as tf.Scalar;
    const keep = targets.notEqual(tf.scalar(options.ignoreId, "int32")).cast("float32");
    return perPosition.mul(keep).sum().div(keep.sum().maximum(1)).neg() as tf.Scalar;
  });
}
