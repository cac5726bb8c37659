/**
 * Positional encodings: what tells the model where each token stands.
 *
 * Attention treats its input as a set: shuffle the tokens and each one gets the same output,
 * shuffled. Adding a vector that depends on the position to each token's embedding makes order
 * visible. Two kinds:
 *
 * - **sinusoidal** (the original transformer): fixed, from a formula. Dimensions `2i` and `2i+1`
 *   hold `sin(pos·ω_i)` and `cos(pos·ω_i)` with `ω_i = 1 / base^(2i/d)`: fast waves in the first
 *   dimensions, slow ones in the last. Moving `k` positions rotates each (sin, cos) pair by the
 *   angle `k·ω_i`, the same for every position, so `PE(pos + k)` is a fixed linear map of
 *   `PE(pos)` ({@link sinusoidalShift}).
 * - **learned** (GPT-2): one trainable vector per position, up to a maximum length.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  MAX_TENSOR_SIZE,
  requireInRange,
  requirePositiveInteger,
  requirePositiveNumber,
  requireTensorSize,
} from "../runtime/checks.ts";
import { Embedding, type EmbeddingOptions } from "./embedding.ts";
import { Module } from "./module.ts";

/** The frequencies ω_i = base^(−2i/d) of the sinusoidal encoding, i = 0 … d/2 − 1. */
export function sinusoidalFrequencies(dim: number, base = 10000): number[] {
  requirePositiveInteger("sinusoidal dim", dim, MAX_TENSOR_SIZE);
  if (dim % 2 !== 0) {
    throw new RangeError(`sinusoidal encodings need an even, positive dimension; got ${dim}`);
  }
  requirePositiveNumber("sinusoidal base", base);
  return Array.from({ length: dim / 2 }, (_, i) => Math.pow(base, (-2 * i) / dim));
}

/** The sinusoidal encoding of positions `0 … length − 1`: `(length, dim)`. */
export function sinusoidalEncoding(length: number, dim: number, base = 10000): tf.Tensor2D {
  requirePositiveInteger("length", length);
  const omegas = sinusoidalFrequencies(dim, base);
  requireTensorSize("sinusoidal encoding length × dim", [length, dim]);
  const values = new Float32Array(length * dim);
  for (let pos = 0; pos < length; pos++) {
    omegas.forEach((omega, i) => {
      values[pos * dim + 2 * i] = Math.sin(pos * omega);
      values[pos * dim + 2 * i + 1] = Math.cos(pos * omega);
    });
  }
  return tf.tensor2d(values, [length, dim]);
}

/**
 * The `(dim, dim)` matrix `M_k` with `PE(pos + k) = M_k · PE(pos)` for every position: for each
 * pair (sin, cos) the 2 × 2 rotation [[cos kω, sin kω], [−sin kω, cos kω]].
 */
export function sinusoidalShift(k: number, dim: number, base = 10000): tf.Tensor2D {
  requireInRange("shift k", k, -Infinity, Infinity, "()");
  const omegas = sinusoidalFrequencies(dim, base);
  requireTensorSize("sinusoidal shift dim × dim", [dim, dim]);
  const m = new Float32Array(dim * dim);
  omegas.forEach((omega, i) => {
    const [c, s] = [Math.cos(k * omega), Math.sin(k * omega)];
    const r = 2 * i;
    m[r * dim + r] = c;
    m[r * dim + r + 1] = s;
    m[(r + 1) * dim + r] = -s;
    m[(r + 1) * dim + r + 1] = c;
  });
  return tf.tensor2d(m, [dim, dim]);
}

/** Learned positions: a trainable vector for each position `0 … maxLength − 1`. */
export class LearnedPositions extends Module {
  /** The table, `(maxLength, C)`. */
  readonly embedding: Embedding;

  constructor(readonly maxLength: number, readonly dim: number, options: EmbeddingOptions = {}) {
    super();
    requirePositiveInteger("LearnedPositions maxLength", maxLength);
    requirePositiveInteger("LearnedPositions dim", dim);
    requireTensorSize("LearnedPositions maxLength × dim", [maxLength, dim]);
    this.embedding = new Embedding(maxLength, dim, options);
  }

  /** The vectors of positions `0 … length − 1`: `(length, C)`. */
  apply(length: number): tf.Tensor2D {
    if (!Number.isInteger(length) || length <= 0 || length > this.maxLength) {
      throw new RangeError(
        `sequence length ${length} is outside 1 … ${this.maxLength} (the maximum this table was made for)`,
      );
    }
    return this.embedding.table.slice([0, 0], [length, this.dim]) as tf.Tensor2D;
  }

  /** The table, as `embedding`. */
  protected override submodules(): Record<string, Module> {
    return { embedding: this.embedding };
  }
}
