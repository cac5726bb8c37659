/**
 * Fixtures that several test files share: seeded random tensors, small model configurations,
 * host matrices of ids, and the lines of a package's data file.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type EncoderDecoderConfig, type GPTConfig, rng } from "../src/mod.ts";

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
