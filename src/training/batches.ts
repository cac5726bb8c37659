/**
 * Training batches from a stream of token ids: random windows of T tokens, with the same
 * windows shifted one to the right as targets (each position predicts the next token).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { requirePositiveInteger, requireTensorSize } from "../runtime/checks.ts";
import { Random } from "../runtime/random.ts";

/** Inputs and targets, both `(B, T)` int32. */
export interface Batch {
  /** Input ids, `(B, T)`. */
  x: tf.Tensor2D;
  /** Target ids: the input shifted left by one, `(B, T)`. */
  y: tf.Tensor2D;
}

/**
 * `batchSize` windows at random offsets in `[0, tokens.length − T − 1)`: x = tokens[i … i+T),
 * y = tokens[i+1 … i+T+1). Offsets come from `random`, so a seeded generator repeats batches.
 */
export function sampleBatch(
  tokens: Int32Array,
  batchSize: number,
  contextLength: number,
  random: Random,
): Batch {
  requirePositiveInteger("batchSize", batchSize);
  requirePositiveInteger("contextLength", contextLength);
  requireTensorSize("a batch of batchSize × contextLength", [batchSize, contextLength]);
  const span = tokens.length - contextLength - 1;
  if (span <= 0) {
    throw new RangeError(`${tokens.length} tokens are too few for windows of ${contextLength} + 1`);
  }
  const x = new Int32Array(batchSize * contextLength);
  const y = new Int32Array(batchSize * contextLength);
  for (let b = 0; b < batchSize; b++) {
    const start = random.int(span);
    x.set(tokens.subarray(start, start + contextLength), b * contextLength);
    y.set(tokens.subarray(start + 1, start + contextLength + 1), b * contextLength);
  }
  return {
    x: tf.tensor2d(x, [batchSize, contextLength], "int32"),
    y: tf.tensor2d(y, [batchSize, contextLength], "int32"),
  };
}

/** Free a batch's tensors. */
export function disposeBatch(batch: Batch): void {
  tf.dispose([batch.x, batch.y]);
}
