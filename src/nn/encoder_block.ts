/**
 * An encoder block: self-attention, then a feed-forward network, each wrapped in Add & Norm.
 *
 * With a padding mask it is the block of an encoder (BERT, the original transformer's encoder);
 * with a causal mask it is the block of a decoder-only model (GPT), whose "decoder" has no
 * cross-attention.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type BlockConfig, resolveBlockConfig } from "./block_config.ts";
import { FeedForward } from "./feed_forward.ts";
import type { LayerCache } from "./kv_cache.ts";
import { LayerNorm } from "./layer_norm.ts";
import { freeOnFailure, Module } from "./module.ts";
import { MultiHeadAttention } from "./multi_head_attention.ts";
import { addAndNorm } from "./residual.ts";

/** Output of a block, with the attention weights for pictures. */
export interface EncoderBlockResult {
  /** `(B, T, C)`. */
  output: tf.Tensor3D;
  /** Self-attention weights, `(B, H, T, T)`. */
  weights: tf.Tensor4D;
}

/** Self-attention + feed-forward, each with Add & Norm. */
export class EncoderBlock extends Module {
  /** Settings with defaults filled in. */
  readonly config: Required<BlockConfig>;
  /** Multi-head self-attention. */
  readonly attention: MultiHeadAttention;
  /** The feed-forward network. */
  readonly feedForward: FeedForward;
  /** LayerNorm of the attention sub-layer. */
  readonly norm1: LayerNorm;
  /** LayerNorm of the feed-forward sub-layer. */
  readonly norm2: LayerNorm;

  constructor(config: BlockConfig) {
    super();
    this.config = resolveBlockConfig(config);
    const { dModel, numHeads, dFF, activation, initStd } = this.config;
    const parts = freeOnFailure(() => ({
      attention: new MultiHeadAttention(dModel, numHeads, { initStd }),
      feedForward: new FeedForward(dModel, dFF, activation, { initStd }),
      norm1: new LayerNorm(dModel),
      norm2: new LayerNorm(dModel),
    }));
    this.attention = parts.attention;
    this.feedForward = parts.feedForward;
    this.norm1 = parts.norm1;
    this.norm2 = parts.norm2;
  }

  /** `(B, T, C)` → `(B, T, C)`; `mask` broadcastable to `(B, H, T, T)`. */
  apply(x: tf.Tensor3D, mask?: tf.Tensor): EncoderBlockResult {
    return tf.tidy(() => {
      let weights: tf.Tensor4D | undefined;
      const attended = addAndNorm(
        x,
        (h) => {
          const result = this.attention.apply(h as tf.Tensor3D, h as tf.Tensor3D, mask);
          weights = result.weights;
          return result.output;
        },
        this.norm1,
        this.config.norm,
      );
      const output = addAndNorm(
        attended,
        (h) => this.feedForward.apply(h),
        this.norm2,
        this.config.norm,
      );
      return { output: output as tf.Tensor3D, weights: weights! };
    });
  }

  /**
   * Causal self-attention block for new positions, using and extending `cache` (see
   * `MultiHeadAttention.applyCached`); pre-norm or post-norm as configured.
   */
  applyCached(x: tf.Tensor3D, cache: LayerCache): tf.Tensor3D {
    return tf.tidy(() => {
      const attended = addAndNorm(
        x,
        (h) => this.attention.applyCached(h as tf.Tensor3D, cache).output,
        this.norm1,
        this.config.norm,
      );
      return addAndNorm(
        attended,
        (h) => this.feedForward.apply(h),
        this.norm2,
        this.config.norm,
      ) as tf.Tensor3D;
    });
  }

  /** Sub-layers. */
  protected override submodules(): Record<string, Module> {
    return {
      attention: this.attention,
      feedForward: this.feedForward,
      norm1: this.norm1,
      norm2: this.norm2,
    };
  }
}
