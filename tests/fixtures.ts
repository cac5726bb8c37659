/**
 * Fixtures that several test files share: seeded random tensors, small model configurations,
 * host matrices of ids, the lines of a package's data file, and a test run with the fused kernels.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  type EncoderDecoderConfig,
  type GPT,
  type GPTConfig,
  rng,
  useFusedKernels,
} from "../src/mod.ts";

/** A tensor of `shape` drawn from the standard normal distribution, seeded through `rng`. */
export const random = (shape: number[]) => tf.randomNormal(shape, 0, 1, "float32", rng.tfSeed());

/** The GPT of the model, training, checkpoint and sampling tests. */
export const TINY: GPTConfig = {
  vocabSize: 12,
  contextLength: 16,
  dModel: 32,
  numHeads: 4,
  numLayers: 2,
};

/** The GPT of the data-parallel and model-registry tests. */
export const TINY_GPT: GPTConfig = {
  vocabSize: 11,
  contextLength: 8,
  dModel: 16,
  numHeads: 2,
  numLayers: 2,
};

/** The encoder-decoder of the model and decoding tests. */
export const SMALL: EncoderDecoderConfig = {
  sourceVocabSize: 12,
  targetVocabSize: 10,
  maxLength: 16,
  dModel: 32,
  numHeads: 4,
  encoderLayers: 2,
  decoderLayers: 2,
};

/** The special ids of sequence-to-sequence batches: <pad> 0, <start> 1, <end> 2. */
export const IDS = { padId: 0, startId: 1, endId: 2 };

/** A host matrix from rows of ids. */
export function matrix(rows: number[][]) {
  return { rows: rows.length, cols: rows[0].length, data: Int32Array.from(rows.flat()) };
}

/** The non-blank lines of the text file at `path`. */
export function lines(path: string): string[] {
  return Deno.readTextFileSync(path).split("\n").filter((line) => line.trim() !== "");
}

/**
 * The logits of `ids` `(1, T)` through a fresh KV cache: the first `prefill` tokens at once, then
 * one at a time, `(1, T, V)`; and the shape of block 1's cached keys at the end. Call inside
 * `tf.tidy`; the cache is cleared.
 */
export function cachedLogits(
  model: GPT,
  ids: tf.Tensor2D,
  prefill: number,
): { logits: tf.Tensor3D; keyShape: number[] } {
  const cache = model.newCache();
  const steps = [model.forwardCached(ids.slice([0, 0], [1, prefill]), cache)];
  for (let t = prefill; t < ids.shape[1]; t++) {
    steps.push(model.forwardCached(ids.slice([0, t], [1, 1]), cache));
  }
  const keyShape = cache.layers[0].keys!.shape;
  cache.clear();
  return { logits: tf.concat(steps, 1) as tf.Tensor3D, keyShape };
}

/**
 * A test body run with attention and cross-entropy by their kernels (off by default: the shipped
 * checkpoints were trained by the formulas), the setting restored after.
 */
export function withFusedKernels(body: () => void | Promise<void>): () => Promise<void> {
  return async () => {
    const before = useFusedKernels(true);
    try {
      await body();
    } finally {
      useFusedKernels(before);
    }
  };
}
