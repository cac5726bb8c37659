/**
 * The transformer block: self-attention, an optional cross-attention, then a feed-forward
 * network, each sub-layer wrapped in Add & Norm.
 *
 *     x → x + Attn(Norm(x))                      self-attention (the mask says who sees whom)
 *       → x + CrossAttn(Norm(x), memory)          only with `crossAttention`: reads the encoder
 *       → x + FFN(Norm(x))                        the same network at every position
 *
 * (pre-norm as drawn; post-norm puts each norm after the addition.) With a `dropout` rate, each
 * sub-layer's output is dropped out before the addition, in training only (GPT-2's residual
 * dropout; `dropout.ts`). One class serves every
 * stack of the course: with a causal mask it is a block of a decoder-only model (GPT), with a
 * padding mask a block of an encoder (BERT, the encoder of an encoder-decoder), and with
 * cross-attention a block of an encoder-decoder's decoder.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type BlockConfig, resolveBlockConfig } from "./block_config.ts";
import { FEED_FORWARDS, type FeedForwardNetwork, type Norm, NORMS } from "./block_parts.ts";
import { dropout, type ForwardOptions } from "./dropout.ts";
import type { LayerCache } from "./kv_cache.ts";
import { freeOnFailure, Module } from "./module.ts";
import { type AttentionPositions, MultiHeadAttention } from "./multi_head_attention.ts";
import { addAndNorm } from "./residual.ts";

/** What a block attends with, besides its input. */
export interface BlockContext {
  /** For self-attention, broadcastable to `(B, H, T, T)`: causal, padding, or both. */
  mask?: tf.Tensor;
  /** The encoder's output `(B, Ts, C)`, for cross-attention (Ts may differ from T). */
  memory?: tf.Tensor3D;
  /** For cross-attention: the source's padding, broadcastable to `(B, H, T, Ts)`. */
  memoryMask?: tf.Tensor;
}

/** Output of a block, with the attention weights for pictures. */
export interface BlockResult {
  /** `(B, T, C)`. */
  output: tf.Tensor3D;
  /** Self-attention weights, `(B, H, T, T)`. */
  weights: tf.Tensor4D;
  /** Cross-attention weights, `(B, H, T, Ts)`, in a block with cross-attention. */
  crossWeights?: tf.Tensor4D;
}

/** Parts of a block that are not settings: a position scheme inside attention. */
export interface BlockParts {
  /** Applied to the queries and keys of self-attention (e.g. rotary positions). */
  positions?: AttentionPositions;
}

/** Self-attention, optional cross-attention and a feed-forward network, each with Add & Norm. */
export class TransformerBlock extends Module {
  /** Settings with defaults filled in. */
  readonly config: Required<BlockConfig>;
  /** Multi-head self-attention. */
  readonly attention: MultiHeadAttention;
  /** Cross-attention: queries from this block's input, keys and values from `memory`. */
  readonly crossAttention?: MultiHeadAttention;
  /** The feed-forward network. */
  readonly feedForward: FeedForwardNetwork;
  /** Norm of the self-attention sub-layer. */
  readonly attentionNorm: Norm;
  /** Norm of the cross-attention sub-layer. */
  readonly crossAttentionNorm?: Norm;
  /** Norm of the feed-forward sub-layer. */
  readonly feedForwardNorm: Norm;

  /** @param parts a position scheme for self-attention, if the model uses one (rotary) */
  constructor(config: BlockConfig, parts: BlockParts = {}) {
    super();
    this.config = resolveBlockConfig(config);
    const { dModel, numHeads, numKVHeads, bias, initStd, crossAttention } = this.config;
    const made = freeOnFailure(() => ({
      attention: new MultiHeadAttention(dModel, numHeads, {
        bias,
        initStd,
        numKVHeads,
        positions: parts.positions,
      }),
      crossAttention: crossAttention
        ? new MultiHeadAttention(dModel, numHeads, { bias, initStd })
        : undefined,
      feedForward: FEED_FORWARDS[this.config.feedForward](this.config),
      attentionNorm: NORMS[this.config.norm](dModel),
      crossAttentionNorm: crossAttention ? NORMS[this.config.norm](dModel) : undefined,
      feedForwardNorm: NORMS[this.config.norm](dModel),
    }));
    this.attention = made.attention;
    this.crossAttention = made.crossAttention;
    this.feedForward = made.feedForward;
    this.attentionNorm = made.attentionNorm;
    this.crossAttentionNorm = made.crossAttentionNorm;
    this.feedForwardNorm = made.feedForwardNorm;
  }

  /**
   * `(B, T, C)` → `(B, T, C)`; with `options.training`, the sub-layers' outputs are dropped out
   * at the config's `dropout` rate.
   */
  apply(x: tf.Tensor3D, context: BlockContext = {}, options: ForwardOptions = {}): BlockResult {
    return tf.tidy(() => {
      let weights: tf.Tensor4D | undefined;
      const attended = addAndNorm(
        x,
        (h) => {
          const result = this.attention.apply(h as tf.Tensor3D, h as tf.Tensor3D, context.mask);
          weights = result.weights;
          return this.drop(result.output, options);
        },
        this.attentionNorm,
        this.config.normPlacement,
      );
      const { output, crossWeights } = this.crossAndFeedForward(attended, context, options);
      return { output, weights: weights!, ...(crossWeights ? { crossWeights } : {}) };
    });
  }

  /**
   * The block on new positions only, with causal self-attention over `cache` (see
   * `MultiHeadAttention.applyCached`), which gains the new positions: `(B, Tnew, C)` →
   * `(B, Tnew, C)`.
   */
  applyCached(x: tf.Tensor3D, cache: LayerCache, context: BlockContext = {}): tf.Tensor3D {
    return tf.tidy(() => {
      const attended = addAndNorm(
        x,
        (h) => this.attention.applyCached(h as tf.Tensor3D, cache).output,
        this.attentionNorm,
        this.config.normPlacement,
      );
      return this.crossAndFeedForward(attended, context).output;
    });
  }

  /** A sub-layer's output before it joins the residual stream: dropped out in training. */
  private drop(t: tf.Tensor, options: ForwardOptions): tf.Tensor {
    return dropout(t, this.config.dropout, options);
  }

  /** The sub-layers after self-attention: cross-attention (if any), then the feed-forward. */
  private crossAndFeedForward(
    x: tf.Tensor,
    context: BlockContext,
    options: ForwardOptions = {},
  ): { output: tf.Tensor3D; crossWeights?: tf.Tensor4D } {
    const placement = this.config.normPlacement;
    let crossWeights: tf.Tensor4D | undefined;
    if (this.crossAttention && this.crossAttentionNorm) {
      const memory = context.memory;
      if (memory === undefined) {
        throw new RangeError("a block with cross-attention needs the encoder's output (memory)");
      }
      const crossAttention = this.crossAttention;
      x = addAndNorm(
        x,
        (h) => {
          // Queries from this block; keys and values from the encoder's output, as it is.
          const r = crossAttention.apply(h as tf.Tensor3D, memory, context.memoryMask);
          crossWeights = r.weights;
          return this.drop(r.output, options);
        },
        this.crossAttentionNorm,
        placement,
      );
    }
    const output = addAndNorm(
      x,
      (h) => this.drop(this.feedForward.apply(h), options),
      this.feedForwardNorm,
      placement,
    ) as tf.Tensor3D;
    return { output, crossWeights };
  }

  /** Sub-layers, named as in checkpoints. */
  protected override submodules(): Record<string, Module> {
    const modules: Record<string, Module> = { attention: this.attention };
    if (this.crossAttention) modules.crossAttention = this.crossAttention;
    modules.feedForward = this.feedForward;
    modules.attentionNorm = this.attentionNorm;
    if (this.crossAttentionNorm) modules.crossAttentionNorm = this.crossAttentionNorm;
    modules.feedForwardNorm = this.feedForwardNorm;
    return modules;
  }
}
