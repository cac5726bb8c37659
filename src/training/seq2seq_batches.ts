/**
 * Batches for an encoder-decoder, with teacher forcing.
 *
 * Each example is a source sequence and a target sequence. The decoder's input is the target
 * shifted one step right behind `<start>`; its expected output is the target followed by
 * `<end>`:
 *
 *     target      K  AE  T
 *     target in   <start> K  AE  T
 *     target out  K  AE  T  <end>
 *
 * Sequences are padded to the longest one *in the batch* (not in the whole data set), so no
 * computation is spent on padding that no sequence of the batch needs.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { INT32_LIMIT, requireId, requireIds, requirePositiveInteger } from "../runtime/checks.ts";
import type { Random } from "../runtime/random.ts";

/** A source and target pair of token ids (without `<start>` / `<end>`). */
export interface Seq2SeqExample {
  /** Source ids. */
  source: readonly number[];
  /** Target ids. */
  target: readonly number[];
}

/** The special ids a batch needs. */
export interface Seq2SeqIds {
  /** Padding (in both vocabularies). */
  padId: number;
  /** `<start>`, the decoder's first input. */
  startId: number;
  /** `<end>`, the decoder's last output. */
  endId: number;
}

/** Padded tensors of one batch, all int32. */
export interface Seq2SeqBatch {
  /** `(B, Ts)`, Ts = the longest source of the batch. */
  source: tf.Tensor2D;
  /** `(B, Tt)`: `<start>` + target, padded. */
  targetIn: tf.Tensor2D;
  /** `(B, Tt)`: target + `<end>`, padded. */
  targetOut: tf.Tensor2D;
}

/** Pad rows of ids to one length. */
export function padRows(rows: readonly (readonly number[])[], padId: number): number[][] {
  requireId("padId", padId, INT32_LIMIT);
  rows.forEach((row, i) => requireIds(`row ${i}: token id`, row));
  const width = Math.max(1, ...rows.map((r) => r.length));
  return rows.map((r) => [...r, ...Array(width - r.length).fill(padId)]);
}

/** Build a teacher-forcing batch from `examples`. */
export function seq2seqBatch(examples: readonly Seq2SeqExample[], ids: Seq2SeqIds): Seq2SeqBatch {
  if (examples.length === 0) throw new RangeError("a batch needs at least one example");
  for (const name of ["padId", "startId", "endId"] as const) {
    requireId(name, ids[name], INT32_LIMIT);
  }
  return {
    source: tf.tensor2d(padRows(examples.map((e) => e.source), ids.padId), undefined, "int32"),
    targetIn: tf.tensor2d(
      padRows(examples.map((e) => [ids.startId, ...e.target]), ids.padId),
      undefined,
      "int32",
    ),
    targetOut: tf.tensor2d(
      padRows(examples.map((e) => [...e.target, ids.endId]), ids.padId),
      undefined,
      "int32",
    ),
  };
}

/** Free a batch's tensors. */
export function disposeSeq2SeqBatch(batch: Seq2SeqBatch): void {
  tf.dispose([batch.source, batch.targetIn, batch.targetOut]);
}

/**
 * One epoch of batches with little padding: shuffle the examples, cut them into pools of
 * `poolBatches` batches, sort each pool by source length (then target length), cut it into
 * batches, and shuffle the batches. Words of similar length share a batch, so trimming to the
 * batch's longest leaves almost nothing to pad, while pools keep the order random.
 */
export function lengthBucketedBatches<E extends Seq2SeqExample>(
  examples: readonly E[],
  batchSize: number,
  random: Random,
  poolBatches = 50,
): E[][] {
  requirePositiveInteger("batchSize", batchSize);
  requirePositiveInteger("poolBatches", poolBatches);
  const shuffled = random.shuffle([...examples]);
  const batches: E[][] = [];
  const pool = batchSize * poolBatches;
  for (let start = 0; start < shuffled.length; start += pool) {
    const sorted = shuffled.slice(start, start + pool).sort((a, b) =>
      a.source.length - b.source.length || a.target.length - b.target.length
    );
    for (let i = 0; i < sorted.length; i += batchSize) batches.push(sorted.slice(i, i + batchSize));
  }
  return random.shuffle(batches);
}
