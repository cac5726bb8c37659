/**
 * Cross-entropy, the loss of a language model: how surprised the model is by the right answer.
 *
 * For each position, the logits are turned into probabilities (softmax) and the loss is
 * −log p(target). Averaged over positions. A model that guesses uniformly over V tokens scores
 * ln V; a perfect one scores 0.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/**
 * Mean cross-entropy of `targets` under `logits`: −mean log softmax(logits)[target].
 * `logits` `(…, V)`, `targets` `(…)` int32. Positions whose target is `ignoreId` are left out.
 */
export function crossEntropy(logits: tf.Tensor, targets: tf.Tensor, ignoreId?: number): tf.Scalar {
  return tf.tidy(() => {
    const V = logits.shape[logits.rank - 1];
    const flatLogits = logits.reshape([-1, V]);
    const flatTargets = targets.reshape([-1]);
    const logProbs = tf.logSoftmax(flatLogits); // (N, V)
    const picked = logProbs.mul(tf.oneHot(flatTargets, V)).sum(-1); // (N): log p(target)
    if (ignoreId === undefined) return picked.mean().neg() as tf.Scalar;
    const keep = flatTargets.notEqual(tf.scalar(ignoreId, "int32")).cast("float32");
    return picked.mul(keep).sum().div(keep.sum().maximum(1)).neg() as tf.Scalar;
  });
}
