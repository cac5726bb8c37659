/**
 * A decoder block of an encoder-decoder transformer: masked self-attention over what has been
 * written so far, cross-attention to the encoder's output, then a feed-forward network, each
 * wrapped in Add & Norm.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type BlockConfig, resolveBlockConfig } from "./block_config.ts";
import { FeedForward } from "./feed_forward.ts";
import { LayerNorm } from "./layer_norm.ts";
import { freeOnFailure, Module } from "./module.ts";
import { MultiHeadAttention } from "./multi_head_attention.ts";
import { addAndNorm } from "./residual.ts";

/** Masks of a decoder block. */
export interface DecoderMasks {
  /** For self-attention: causal, and padding of the target; broadcastable to `(B, H, Tt, Tt)`. */
  self?: tf.Tensor;
  /** For cross-attention: padding of the source; broadcastable to `(B, H, Tt, Ts)`. */
  memory?: tf.Tensor;
}

/** Output of a decoder block. */
export interface DecoderBlockResult {
  /** `(B, Tt, C)`. */
  output: tf.Tensor3D;
  /** Self-attention weights, `(B, H, Tt, Tt)`. */
  selfWeights: tf.Tensor4D;
  /** Cross-attention weights, `(B, H, Tt, Ts)`: which source positions each target position reads. */
  crossWeights: tf.Tensor4D;
}

/** Masked self-attention + cross-attention + feed-forward, each with Add & Norm. */
export class DecoderBlock extends Module {
  /** Settings with defaults filled in. */
  readonly config: Required<BlockConfig>;
  /** Masked self-attention over the target. */
  readonly selfAttention: MultiHeadAttention;
  /** Cross-attention: queries from the target, keys and values from the encoder output. */
  readonly crossAttention: MultiHeadAttention;
  /** The feed-forward network. */
  readonly feedForward: FeedForward;
  /** LayerNorms of the three sub-layers. */
  readonly norm1: LayerNorm;
  /** LayerNorm of cross-attention. */
  readonly norm2: LayerNorm;
  /** LayerNorm of the feed-forward network. */
  readonly norm3: LayerNorm;

  constructor(config: BlockConfig) {
    super();
    this.config = resolveBlockConfig(config);
    const { dModel, numHeads, dFF, activation, initStd } = this.config;
    const parts = freeOnFailure(() => ({
      selfAttention: new MultiHeadAttention(dModel, numHeads, { initStd }),
      crossAttention: new MultiHeadAttention(dModel, numHeads, { initStd }),
      feedForward: new FeedForward(dModel, dFF, activation, { initStd }),
      norm1: new LayerNorm(dModel),
      norm2: new LayerNorm(dModel),
      norm3: new LayerNorm(dModel),
    }));
    this.selfAttention = parts.selfAttention;
    this.crossAttention = parts.crossAttention;
    this.feedForward = parts.feedForward;
    this.norm1 = parts.norm1;
    this.norm2 = parts.norm2;
    this.norm3 = parts.norm3;
  }

  /**
   * @param x the target so far, `(B, Tt, C)`
   * @param memory the encoder output, `(B, Ts, C)`; Ts may differ from Tt
   */
  apply(x: tf.Tensor3D, memory: tf.Tensor3D, masks: DecoderMasks = {}): DecoderBlockResult {
    return tf.tidy(() => {
      const { norm } = this.config;
      let selfWeights: tf.Tensor4D | undefined;
      let crossWeights: tf.Tensor4D | undefined;
      const h1 = addAndNorm(
        x,
        (h) => {
          const r = this.selfAttention.apply(h as tf.Tensor3D, h as tf.Tensor3D, masks.self);
          selfWeights = r.weights;
          return r.output;
        },
        this.norm1,
        norm,
      );
      const h2 = addAndNorm(
        h1,
        (h) => {
          // Queries from the decoder; keys and values from the encoder's output, as it is.
          const r = this.crossAttention.apply(h as tf.Tensor3D, memory, masks.memory);
          crossWeights = r.weights;
          return r.output;
        },
        this.norm2,
        norm,
      );
      const output = addAndNorm(h2, (h) => this.feedForward.apply(h), this.norm3, norm);
      return {
        output: output as tf.Tensor3D,
        selfWeights: selfWeights!,
        crossWeights: crossWeights!,
      };
    });
  }

  /** Sub-layers. */
  protected override submodules(): Record<string, Module> {
    return {
      selfAttention: this.selfAttention,
      crossAttention: this.crossAttention,
      feedForward: this.feedForward,
      norm1: this.norm1,
      norm2: this.norm2,
      norm3: this.norm3,
    };
  }
}
