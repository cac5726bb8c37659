/**
 * Token embeddings: a learned table with one vector per token id.
 *
 * Looking up row `id` of the table is the same as multiplying a one-hot vector (all zeros, a 1
 * at `id`) by the table, but costs a copy instead of a matrix product. During training, the
 * gradient flows back only into the rows that were looked up.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { requireIds, requirePositiveInteger, requireTensorSize } from "../runtime/checks.ts";
import { rng } from "../runtime/random.ts";
import { requireInitStd } from "./checks.ts";
import { Module } from "./module.ts";

/** Options of {@link Embedding}. */
export interface EmbeddingOptions {
  /** Standard deviation of the normal initialisation (default 0.02, as GPT-2). */
  initStd?: number;
}

/** A trainable `(vocabSize, dim)` lookup table. */
export class Embedding extends Module {
  /** The table, `(V, C)`. */
  readonly table: tf.Variable;

  constructor(readonly vocabSize: number, readonly dim: number, options: EmbeddingOptions = {}) {
    super();
    requirePositiveInteger("Embedding vocabSize", vocabSize);
    requirePositiveInteger("Embedding dim", dim);
    requireTensorSize("Embedding vocabSize × dim", [vocabSize, dim]);
    const initStd = options.initStd ?? 0.02;
    requireInitStd("Embedding initStd", initStd);
    const init = tf.randomNormal([vocabSize, dim], 0, initStd, "float32", rng.tfSeed());
    this.table = tf.variable(init, true); // tfjs names it uniquely, so a re-run cell can make another
    init.dispose();
  }

  /**
   * Look up ids: `(...)` int32 → `(..., C)`; a `(B, T)` batch of ids gives `(B, T, C)`.
   * Every id, given as a tensor or as arrays, must be an integer in `[0, vocabSize)`.
   */
  apply(ids: tf.Tensor | number[] | number[][]): tf.Tensor {
    if (Array.isArray(ids)) {
      requireIds("token id", (ids as (number | number[])[]).flat(), this.vocabSize);
      return tf.tidy(() => tf.gather(this.table, tf.tensor(ids, undefined, "int32")));
    }
    if (ids.dtype !== "int32") throw new TypeError(`token ids must be int32, got ${ids.dtype}`);
    requireIds("token id", ids.dataSync(), this.vocabSize);
    return tf.gather(this.table, ids);
  }

  /** The table, named `table`. */
  protected override ownParameters(): Record<string, tf.Variable> {
    return { table: this.table };
  }
}
