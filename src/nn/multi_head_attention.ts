/**
 * Multi-head attention: several attentions side by side, each on its own slice of the model
 * dimension, their outputs joined and mixed by a last linear map.
 *
 *     head_h = Attention(X_q · W_Q[h], X_kv · W_K[h], X_kv · W_V[h])
 *     MHA    = concat(head_1 … head_H) · W_O
 *
 * With one sequence for queries and keys it is **self-attention**; with queries from one
 * sequence (the decoder) and keys/values from another (the encoder's output) it is
 * **cross-attention**. All heads are computed at once: the projections are split into
 * `(B, H, T, d_head)` and attention runs on the batch of heads.
 *
 * **Grouped-query attention** (GQA; Ainslie et al., 2023) gives the keys and values fewer heads
 * than the queries: `numKVHeads` divides `numHeads`, and each key/value head serves a group of
 * `numHeads / numKVHeads` query heads (query head h reads key/value head ⌊h / group⌋). With
 * `numKVHeads = numHeads` it is ordinary multi-head attention; with 1 it is multi-query
 * attention. W_K and W_V shrink to `(C, numKVHeads · d_head)`, and so does the KV cache, which
 * stores only the key/value heads.
 *
 * A position scheme that acts inside attention (rotary positions turn each query and key by an
 * angle that grows with its position) is given to the constructor as {@link AttentionPositions}:
 * it is applied to the queries and keys of every head before their dot products, so it belongs
 * to self-attention, where both come from one sequence. Without one, positions come from the
 * model's input (learned or sinusoidal vectors added to the embeddings).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { requirePositiveInteger, requireTensorSize } from "../runtime/checks.ts";
import { requireHeadsDivide, requireKVHeadsDivide } from "./checks.ts";
import { causalMask, scaledDotProductAttention } from "./attention.ts";
import type { LayerCache } from "./kv_cache.ts";
import { Linear, type LinearOptions } from "./linear.ts";
import { freeOnFailure, Module } from "./module.ts";

/** Result of {@link MultiHeadAttention.apply}. */
export interface MultiHeadResult {
  /** `(B, Tq, C)`. */
  output: tf.Tensor3D;
  /** Each head's attention weights, `(B, H, Tq, Tk)`. */
  weights: tf.Tensor4D;
}

/** A position scheme applied to queries and keys inside attention. */
export interface AttentionPositions {
  /**
   * `t` `(B, H, T, d_head)` for positions `offset … offset + T − 1`, with positions applied;
   * same shape.
   */
  apply(t: tf.Tensor4D, offset: number): tf.Tensor4D;
}

/**
 * Options of {@link MultiHeadAttention}: the projections' bias and initialisation, the number of
 * key/value heads and a position scheme.
 */
export interface AttentionOptions extends LinearOptions {
  /** Heads of keys and values (default `numHeads`); must divide `numHeads`. */
  numKVHeads?: number;
  /** Applied to queries and keys (none by default); for self-attention only. */
  positions?: AttentionPositions;
}

/** Multi-head attention with projections W_Q, W_K, W_V and W_O (`query`, `key`, `value`, `output`). */
export class MultiHeadAttention extends Module {
  /** Size of each head, `dModel / numHeads`. */
  readonly headDim: number;
  /** Heads of keys and values; `numHeads` without grouping. */
  readonly numKVHeads: number;
  /** W_Q, `(C, C)`: all heads' query projections side by side. */
  readonly query: Linear;
  /** W_K, `(C, numKVHeads · d_head)`. */
  readonly key: Linear;
  /** W_V, `(C, numKVHeads · d_head)`. */
  readonly value: Linear;
  /** W_O, mixing the joined heads. */
  readonly output: Linear;
  /** The position scheme applied to queries and keys, if any. */
  readonly positions?: AttentionPositions;

  constructor(readonly dModel: number, readonly numHeads: number, options: AttentionOptions = {}) {
    super();
    this.positions = options.positions;
    requirePositiveInteger("dModel", dModel);
    requirePositiveInteger("numHeads", numHeads);
    requireHeadsDivide(dModel, numHeads);
    this.numKVHeads = options.numKVHeads ?? numHeads;
    requireKVHeadsDivide(numHeads, this.numKVHeads);
    requireTensorSize("MultiHeadAttention dModel × dModel", [dModel, dModel]);
    this.headDim = dModel / numHeads;
    const linear = { bias: options.bias, initStd: options.initStd };
    const kvWidth = this.numKVHeads * this.headDim;
    const made = freeOnFailure(() => ({
      query: new Linear(dModel, dModel, linear),
      key: new Linear(dModel, kvWidth, linear),
      value: new Linear(dModel, kvWidth, linear),
      output: new Linear(dModel, dModel, linear),
    }));
    this.query = made.query;
    this.key = made.key;
    this.value = made.value;
    this.output = made.output;
  }

  /**
   * Attend from `x` (queries) to `context` (keys and values; default `x` itself).
   *
   * @param x `(B, Tq, C)`
   * @param context `(B, Tk, C)`: the encoder output for cross-attention
   * @param mask broadcastable to `(B, H, Tq, Tk)`, e.g. a causal `(Tq, Tk)` mask or a padding
   *   mask `(B, 1, 1, Tk)`
   */
  apply(x: tf.Tensor3D, context: tf.Tensor3D = x, mask?: tf.Tensor): MultiHeadResult {
    for (const [name, t] of [["x", x], ["context", context]] as const) {
      if (t.rank !== 3 || t.shape[2] !== this.dModel) {
        throw new RangeError(`${name} must have shape (B, T, ${this.dModel}), got [${t.shape}]`);
      }
    }
    if (context.shape[0] !== x.shape[0]) {
      throw new RangeError(
        `x and context need the same batch size: [${x.shape}] vs [${context.shape}]`,
      );
    }
    return tf.tidy(() => {
      const [B, Tq] = x.shape;
      let q = this.splitHeads(this.query.apply(x), this.numHeads); // (B, H, Tq, d)
      let k = this.splitHeads(this.key.apply(context), this.numKVHeads); // (B, Hkv, Tk, d)
      const v = this.splitHeads(this.value.apply(context), this.numKVHeads); // (B, Hkv, Tk, d)
      if (this.positions) [q, k] = [this.positions.apply(q, 0), this.positions.apply(k, 0)];
      const { output, weights } = this.attend(q, k, v, mask); // (B, H, Tq, d)
      const joined = output.transpose([0, 2, 1, 3]).reshape([B, Tq, this.dModel]); // (B, Tq, C)
      return { output: this.output.apply(joined) as tf.Tensor3D, weights: weights as tf.Tensor4D };
    });
  }

  /**
   * Causal self-attention for new positions only, with the earlier positions' keys and values
   * taken from `cache` (which gains the new ones). Equal to running `apply` on the whole sequence
   * with a causal mask and keeping the last `Tnew` outputs.
   *
   * @param x the new positions, `(B, Tnew, C)`
   */
  applyCached(x: tf.Tensor3D, cache: LayerCache): MultiHeadResult {
    if (x.rank !== 3 || x.shape[2] !== this.dModel) {
      throw new RangeError(`x must have shape (B, T, ${this.dModel}), got [${x.shape}]`);
    }
    return tf.tidy(() => {
      const [B, Tnew] = x.shape;
      const past = cache.length; // positions cached
      const at = cache.position; // the new positions' index in the text (past + any dropped)
      let q = this.splitHeads(this.query.apply(x), this.numHeads); // (B, H, Tnew, d)
      let k = this.splitHeads(this.key.apply(x), this.numKVHeads); // (B, Hkv, Tnew, d)
      if (this.positions) [q, k] = [this.positions.apply(q, at), this.positions.apply(k, at)];
      const v = this.splitHeads(this.value.apply(x), this.numKVHeads);
      const { keys, values } = cache.append(k, v); // (B, Hkv, past + Tnew, d): only the KV heads
      const mask = Tnew > 1 ? causalMask(Tnew, past) : undefined; // one new token may see all
      const { output, weights } = this.attend(q, keys, values, mask);
      const joined = output.transpose([0, 2, 1, 3]).reshape([B, Tnew, this.dModel]);
      return { output: this.output.apply(joined) as tf.Tensor3D, weights: weights as tf.Tensor4D };
    });
  }

  /** `(B, T, heads · d_head)` → `(B, heads, T, d_head)`. */
  private splitHeads(t: tf.Tensor, heads: number): tf.Tensor4D {
    const [B, T] = t.shape;
    return t.reshape([B, T, heads, this.headDim]).transpose([0, 2, 1, 3]) as tf.Tensor4D;
  }

  /**
   * Attention of the H query heads `q` `(B, H, Tq, d)` over the key/value heads `k`, `v`
   * `(B, Hkv, Tk, d)`. With grouping, the query heads of each group are stacked along the time
   * axis, `(B, Hkv, group · Tq, d)`, so one product per key/value head serves its whole group
   * and the keys are never copied; a mask over the queries' positions repeats for each head of
   * the group. Returns the output `(B, H, Tq, d)` and the weights `(B, H, Tq, Tk)`.
   */
  private attend(
    q: tf.Tensor4D,
    k: tf.Tensor4D,
    v: tf.Tensor4D,
    mask?: tf.Tensor,
  ): { output: tf.Tensor4D; weights: tf.Tensor4D } {
    const group = this.numHeads / this.numKVHeads;
    if (group === 1) {
      const { output, weights } = scaledDotProductAttention(q, k, v, mask);
      return { output: output as tf.Tensor4D, weights: weights as tf.Tensor4D };
    }
    const [B, H, Tq, d] = q.shape;
    const Tk = k.shape[2];
    const stacked = q.reshape([B, this.numKVHeads, group * Tq, d]); // heads kv·group + j
    const rows = mask === undefined ? 0 : mask.rank - 2; // the mask's axis of query positions
    const groupMask = mask !== undefined && rows >= 0 && mask.shape[rows] === Tq
      ? mask.tile(mask.shape.map((_, axis) => (axis === rows ? group : 1)))
      : mask;
    const { output, weights } = scaledDotProductAttention(stacked, k, v, groupMask);
    return {
      output: output.reshape([B, H, Tq, d]) as tf.Tensor4D,
      weights: weights.reshape([B, H, Tq, Tk]) as tf.Tensor4D,
    };
  }

  /** The four projections. */
  protected override submodules(): Record<string, Linear> {
    return { query: this.query, key: this.key, value: this.value, output: this.output };
  }
}
