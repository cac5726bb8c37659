/**
 * Scaled dot-product attention, and the masks that hide positions from it.
 *
 * Each query is compared with every key (a dot product); the scores are divided by √d_k,
 * turned into weights by a softmax over the keys, and the output is the weighted average of the
 * values:
 *
 *     Attention(Q, K, V) = softmax(Q · Kᵀ / √d_k) · V
 *
 * A mask says which keys a query may see (1) and which it may not (0). Hidden keys get −1e9 added
 * to their score before the softmax, which makes their weight exactly 0 in float32. (A query
 * that may see no key at all would get uniform weights; causal and padding masks never do that
 * to a real token.)
 *
 * {@link attentionFormula} is the formula in tensor operations, and the reference; on the wasm
 * backend, with `initCourse({ fusedKernels: true })`, the engine computes the same attention by
 * one kernel forward and one backward (`fastAttention`), within float32 rounding of it.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { fastAttention } from "../engine/mod.ts";
import {
  requireIds,
  requireInteger,
  requireNonNegativeInteger,
  requirePositiveInteger,
  requireTensorSize,
} from "../runtime/checks.ts";

/** Outputs and weights of attention. */
export interface AttentionResult {
  /** Weighted averages of the values, `(..., Tq, d_v)`. */
  output: tf.Tensor;
  /** Attention weights, `(..., Tq, Tk)`: each row sums to 1. */
  weights: tf.Tensor;
}

/** The score given to hidden positions. */
export const MASKED_SCORE = -1e9;

/**
 * `softmax(Q · Kᵀ / √d_k + mask) · V`.
 *
 * @param q queries `(..., Tq, d_k)`
 * @param k keys `(..., Tk, d_k)`
 * @param v values `(..., Tk, d_v)`
 * @param mask optional, broadcastable to `(..., Tq, Tk)`: 1 where a query may look, 0 where not
 */
export function scaledDotProductAttention(
  q: tf.Tensor,
  k: tf.Tensor,
  v: tf.Tensor,
  mask?: tf.Tensor,
): AttentionResult {
  const dk = q.shape[q.rank - 1];
  if (k.shape[k.rank - 1] !== dk) {
    throw new RangeError(
      `queries and keys need the same last dimension: q [${q.shape}], k [${k.shape}]`,
    );
  }
  if (k.shape[k.rank - 2] !== v.shape[v.rank - 2]) {
    throw new RangeError(
      `keys and values need the same number of positions: k [${k.shape}], v [${v.shape}]`,
    );
  }
  const scoresShape = [...q.shape.slice(0, -1), k.shape[k.rank - 2]];
  if (mask !== undefined) checkMask(mask, scoresShape);
  return fastAttention(q, k, v, mask) ?? attentionFormula(q, k, v, mask);
}

/**
 * The formula itself, in tensor operations, without the checks: what
 * {@link scaledDotProductAttention} computes where the engine's kernel cannot run, and the
 * reference the kernel is tested against.
 */
export function attentionFormula(
  q: tf.Tensor,
  k: tf.Tensor,
  v: tf.Tensor,
  mask?: tf.Tensor,
): AttentionResult {
  return tf.tidy(() => {
    const dk = q.shape[q.rank - 1];
    let scores = tf.matMul(q, k, false, true).div(Math.sqrt(dk)); // (..., Tq, Tk)
    if (mask !== undefined) {
      // 1 → +0, 0 → −1e9: a hidden key's score is so low that its softmax weight is exactly 0.
      scores = scores.add(tf.scalar(1).sub(mask.cast("float32")).mul(MASKED_SCORE));
    }
    const weights = tf.softmax(scores); // over the last axis: the keys
    return { output: tf.matMul(weights, v), weights };
  });
}

/** A mask must broadcast to the scores' shape `(..., Tq, Tk)`. */
function checkMask(mask: tf.Tensor, scoresShape: number[]): void {
  const offset = scoresShape.length - mask.rank;
  const fits = offset >= 0 &&
    mask.shape.every((size, i) => size === 1 || size === scoresShape[offset + i]);
  if (!fits) {
    throw new RangeError(
      `mask of shape [${mask.shape}] does not broadcast to the attention scores' shape [${scoresShape}] ` +
        `(batch…, queries, keys)`,
    );
  }
}

/**
 * The causal mask: position i may look at positions 0 … i, never ahead. For `length` queries at
 * positions `past … past + length − 1` (new tokens after `past` cached ones) over all
 * `past + length` keys: `(length, past + length)`, the last rows of a lower triangle of ones.
 */
export function causalMask(length: number, past = 0): tf.Tensor2D {
  requirePositiveInteger("length", length);
  requireNonNegativeInteger("past", past);
  const total = past + length;
  requireTensorSize("causal mask (past + length)²", [total, total]);
  return tf.tidy(() => {
    const triangle = tf.linalg.bandPart(tf.ones([total, total]), -1, 0) as tf.Tensor2D;
    return past === 0 ? triangle : triangle.slice([past, 0], [length, total]);
  });
}

/**
 * A padding mask `(B, 1, Tk)` from token ids `(B, Tk)`: 0 at padding (`padId`), 1 elsewhere, so
 * no query looks at padding. Add an axis (`expandDims(1)`) for multi-head scores `(B, H, Tq, Tk)`.
 */
export function paddingMask(ids: tf.Tensor2D | number[][], padId: number): tf.Tensor3D {
  requireInteger("padId", padId);
  if (Array.isArray(ids)) requireIds("token id", ids.flat());
  return tf.tidy(() => {
    const t = Array.isArray(ids) ? tf.tensor2d(ids, undefined, "int32") : ids;
    return t.notEqual(tf.scalar(padId, "int32")).cast("float32").expandDims(1) as tf.Tensor3D;
  });
}
