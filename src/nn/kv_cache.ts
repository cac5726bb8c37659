/**
 * The key/value cache of one attention layer, for generating text one token at a time.
 *
 * Without a cache, every new token recomputes the keys and values of the whole prefix, although
 * they have not changed. The cache keeps them, `(B, H, t, d_head)`, and each step only adds the
 * new token's key and value and computes its query.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Cached keys and values of one attention layer. */
export class LayerCache {
  /** Keys of the positions so far, `(B, H, t, d_head)`, or undefined when empty. */
  keys?: tf.Tensor4D;
  /** Values, the same shape. */
  values?: tf.Tensor4D;

  /** Number of positions cached. */
  get length(): number {
    return this.keys?.shape[2] ?? 0;
  }

  /** Append new keys and values (taking ownership of them) and return all of them. */
  append(keys: tf.Tensor4D, values: tf.Tensor4D): { keys: tf.Tensor4D; values: tf.Tensor4D } {
    const [oldKeys, oldValues] = [this.keys, this.values];
    this.keys = oldKeys ? tf.keep(tf.concat([oldKeys, keys], 2)) : tf.keep(keys);
    this.values = oldValues ? tf.keep(tf.concat([oldValues, values], 2)) : tf.keep(values);
    if (oldKeys) tf.dispose([oldKeys, oldValues!, keys, values]);
    return { keys: this.keys, values: this.values! };
  }

  /** Empty the cache and free its tensors. */
  clear(): void {
    if (this.keys) tf.dispose([this.keys, this.values!]);
    this.keys = undefined;
    this.values = undefined;
  }
}
