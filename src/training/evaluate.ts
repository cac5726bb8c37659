/**
 * Evaluation: the mean loss over a fixed set of batches, so that numbers from different moments
 * of training (or different runs) compare like with like.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { requirePositiveInteger, requireTensorSize } from "../runtime/checks.ts";
import { Random } from "../runtime/random.ts";
import { type Batch, disposeBatch, sampleBatch } from "./batches.ts";

/** Settings of {@link fixedBatches}. */
export interface EvalSet {
  /** Number of batches. */
  batches: number;
  /** Sequences per batch. */
  batchSize: number;
  /** Tokens per sequence. */
  contextLength: number;
  /** Seed of the batch offsets (default 0): the same seed, the same batches. */
  seed?: number;
}

/** The same `batches` batches every time (their own seeded generator, not the course's). */
export function fixedBatches(tokens: Int32Array, set: EvalSet): Batch[] {
  requirePositiveInteger("batches", set.batches);
  requirePositiveInteger("batchSize", set.batchSize);
  requirePositiveInteger("contextLength", set.contextLength);
  requireTensorSize("fixed batches × batchSize × contextLength", [
    set.batches,
    set.batchSize,
    set.contextLength,
  ]);
  const random = new Random(set.seed ?? 0);
  return Array.from(
    { length: set.batches },
    () => sampleBatch(tokens, set.batchSize, set.contextLength, random),
  );
}

/** Mean of `loss(batch)` over `batches` (of any kind: language-model or seq2seq batches). */
export function meanLoss<B>(batches: readonly B[], loss: (batch: B) => tf.Scalar): number {
  let total = 0;
  for (const batch of batches) total += tf.tidy(() => loss(batch).dataSync()[0]);
  return total / batches.length;
}

/** Free evaluation batches. */
export function disposeBatches(batches: readonly Batch[]): void {
  batches.forEach(disposeBatch);
}
