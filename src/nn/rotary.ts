/**
 * Rotary position embeddings (RoPE; Su et al., 2021), the positions of Llama, Mistral and Qwen:
 * no position vectors are added to the input; instead, inside attention, each query and key is
 * turned by an angle that grows with its position.
 *
 * A head's vector of d numbers is read as d/2 pairs, (x₂ᵢ, x₂ᵢ₊₁), and the pair i of the vector
 * at position p is rotated by the angle p·ωᵢ, with the frequencies of the sinusoidal encoding
 * (ωᵢ = base^(−2i/d): fast turns in the first pairs, slow ones in the last):
 *
 *     (x₂ᵢ, x₂ᵢ₊₁) → (x₂ᵢ cos pωᵢ − x₂ᵢ₊₁ sin pωᵢ,  x₂ᵢ sin pωᵢ + x₂ᵢ₊₁ cos pωᵢ)
 *
 * A dot product of two pairs turned by angles a and b depends only on b − a, so the score of a
 * query at position m and a key at position n depends on their vectors and on n − m alone: the
 * same words an offset apart score the same anywhere in the text. Rotations keep lengths, and
 * position 0 is no rotation at all.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { fastRotary } from "../engine/mod.ts";
import {
  requireNonNegativeInteger,
  requirePositiveInteger,
  requirePositiveNumber,
} from "../runtime/checks.ts";
import type { AttentionPositions } from "./multi_head_attention.ts";
import { sinusoidalFrequencies } from "./positional.ts";

/** Each pair (x₂ᵢ, x₂ᵢ₊₁) of the last axis turned by 90°: (−x₂ᵢ₊₁, x₂ᵢ). */
export function rotatePairs(x: tf.Tensor): tf.Tensor {
  const d = x.shape[x.rank - 1];
  if (d % 2 !== 0) {
    throw new RangeError(`rotatePairs needs an even last dimension, got [${x.shape}]`);
  }
  return tf.tidy(() => {
    const pairs = x.reshape([-1, d / 2, 2]); // (N, d/2, 2)
    const turned = pairs.reverse(2).mul(tf.tensor1d([-1, 1])); // (x₁, x₀) ⊙ (−1, 1)
    return turned.reshape(x.shape);
  });
}

/**
 * `x` `(..., T, d)` with each pair turned by its angle, from `cos` and `sin` `(T, d)` (each angle
 * twice): x cos + rot90(x) sin. The engine runs it as one kernel each way (`fastRotary`).
 */
export function rotaryFormula(x: tf.Tensor, cos: tf.Tensor, sin: tf.Tensor): tf.Tensor {
  return tf.tidy(() => x.mul(cos).add(rotatePairs(x).mul(sin)));
}

/** Rotary positions for heads of `headDim` numbers (even), applied to queries and keys. */
export class RotaryPositions implements AttentionPositions {
  /** ωᵢ, i = 0 … headDim/2 − 1 (the sinusoidal encoding's frequencies). */
  readonly frequencies: readonly number[];
  /** The numbers of the last {@link RotaryPositions.angles} asked for (plain arrays, no tensors). */
  #table?: { offset: number; length: number; cos: Float32Array; sin: Float32Array };

  /** @param base the longest wavelength is 2π·base positions (10,000 as in RoFormer and Llama 2) */
  constructor(readonly headDim: number, readonly base = 10000) {
    requirePositiveInteger("RotaryPositions headDim", headDim);
    if (headDim % 2 !== 0) {
      throw new RangeError(`rotary positions need an even head size, got ${headDim}`);
    }
    requirePositiveNumber("RotaryPositions base", base);
    this.frequencies = sinusoidalFrequencies(headDim, base);
  }

  /**
   * cos and sin of every angle p·ωᵢ for positions `offset … offset + length − 1`, each `(length,
   * headDim)` with every angle twice (once for each number of its pair).
   */
  angles(offset: number, length: number): { cos: tf.Tensor2D; sin: tf.Tensor2D } {
    requireNonNegativeInteger("rotary offset", offset);
    requirePositiveInteger("rotary length", length);
    const d = this.headDim;
    // Every query and key of a step asks for the same positions: compute them once.
    if (this.#table?.offset !== offset || this.#table.length !== length) {
      const [cos, sin] = [new Float32Array(length * d), new Float32Array(length * d)];
      for (let t = 0; t < length; t++) {
        this.frequencies.forEach((omega, i) => {
          const angle = (offset + t) * omega;
          cos[t * d + 2 * i] = cos[t * d + 2 * i + 1] = Math.cos(angle);
          sin[t * d + 2 * i] = sin[t * d + 2 * i + 1] = Math.sin(angle);
        });
      }
      this.#table = { offset, length, cos, sin };
    }
    const { cos, sin } = this.#table;
    return { cos: tf.tensor2d(cos, [length, d]), sin: tf.tensor2d(sin, [length, d]) };
  }

  /** `t` `(B, H, T, headDim)` at positions `offset … offset + T − 1`, each pair rotated. */
  apply(t: tf.Tensor4D, offset: number): tf.Tensor4D {
    if (t.rank !== 4 || t.shape[3] !== this.headDim) {
      throw new RangeError(
        `rotary positions expect (B, H, T, ${this.headDim}), got [${t.shape}]`,
      );
    }
    return tf.tidy(() => {
      const { cos, sin } = this.angles(offset, t.shape[2]); // (T, d) each
      return (fastRotary(t, cos, sin) ?? rotaryFormula(t, cos, sin)) as tf.Tensor4D;
    });
  }
}
