/**
 * The key/value cache of one attention layer, for generating text one token at a time.
 *
 * Without a cache, every new token recomputes the keys and values of the whole prefix, although
 * they have not changed. The cache keeps them, `(B, H, t, d_head)` (with grouped-query attention
 * H is the key/value heads only), and each step only adds the new token's key and value and
 * computes its query.
 *
 * With rotary positions, scores depend only on how far apart two positions are, so the cache can
 * slide: {@link LayerCache.dropOldest} forgets the earliest positions and generation goes on,
 * the positions still counted from the start of the text ({@link LayerCache.position}).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { requireNonNegativeInteger } from "../runtime/checks.ts";

/** Cached keys and values of one attention layer. */
export class LayerCache {
  /** Keys of the positions so far, `(B, H, t, d_head)`, or undefined when empty. */
  keys?: tf.Tensor4D;
  /** Values, the same shape. */
  values?: tf.Tensor4D;
  /** Positions dropped from the front so far. */
  #dropped = 0;

  /** Number of positions cached. */
  get length(): number {
    return this.keys?.shape[2] ?? 0;
  }

  /** The index in the text of the next position: those cached plus those dropped. */
  get position(): number {
    return this.#dropped + this.length;
  }

  /** Append new keys and values (taking ownership of them) and return all of them. */
  append(keys: tf.Tensor4D, values: tf.Tensor4D): { keys: tf.Tensor4D; values: tf.Tensor4D } {
    const [oldKeys, oldValues] = [this.keys, this.values];
    this.keys = oldKeys ? tf.keep(tf.concat([oldKeys, keys], 2)) : tf.keep(keys);
    this.values = oldValues ? tf.keep(tf.concat([oldValues, values], 2)) : tf.keep(values);
    if (oldKeys) tf.dispose([oldKeys, oldValues!, keys, values]);
    return { keys: this.keys, values: this.values! };
  }

  /** Forget the `count` earliest positions (all of them if fewer are cached). */
  dropOldest(count: number): void {
    requireNonNegativeInteger("dropOldest count", count);
    if (this.keys === undefined || count === 0) return;
    const drop = Math.min(count, this.length);
    const [keys, values] = [this.keys, this.values!];
    const keep = (t: tf.Tensor4D) =>
      tf.keep(t.slice([0, 0, drop, 0], [-1, -1, -1, -1]) as tf.Tensor4D);
    [this.keys, this.values] = drop === this.length
      ? [undefined, undefined]
      : [keep(keys), keep(values)];
    tf.dispose([keys, values]);
    this.#dropped += drop;
  }

  /** Empty the cache and free its tensors; positions count from 0 again. */
  clear(): void {
    if (this.keys) tf.dispose([this.keys, this.values!]);
    this.keys = undefined;
    this.values = undefined;
    this.#dropped = 0;
  }
}
