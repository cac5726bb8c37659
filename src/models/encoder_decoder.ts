/**
 * An encoder-decoder transformer, the original design for translation: the encoder reads the
 * whole source at once (self-attention over all positions, padding hidden); the decoder writes
 * the target one token at a time, attending causally to what it has written and, through
 * cross-attention, to the encoder's output.
 *
 *     source (B, Ts) → E_s + P → N_enc encoder blocks → LN → memory (B, Ts, C)
 *     target in (B, Tt) → E_t + P → N_dec decoder blocks (memory) → LN → · W (B, Tt, V_t)
 *
 * Training uses teacher forcing: the decoder reads the right target shifted one step to the
 * right behind `<start>` and predicts each next token, all positions at once.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { requireId, requireTensorSize } from "../runtime/checks.ts";
import { causalMask, paddingMask } from "../nn/attention.ts";
import { resolveBlockConfig } from "../nn/block_config.ts";
import { requireModelShape, requireTokenIds } from "../nn/checks.ts";
import { crossEntropy } from "../nn/cross_entropy.ts";
import { Embedding } from "../nn/embedding.ts";
import { type Activation } from "../nn/feed_forward.ts";
import { LayerNorm } from "../nn/layer_norm.ts";
import { Linear } from "../nn/linear.ts";
import { freeOnFailure, Module } from "../nn/module.ts";
import { LearnedPositions } from "../nn/positional.ts";
import type { NormPlacement } from "../nn/residual.ts";
import { TransformerBlock } from "../nn/transformer_block.ts";

/** The shape of an encoder-decoder. */
export interface EncoderDecoderConfig {
  /** Source token ids. */
  sourceVocabSize: number;
  /** Target token ids (including `<start>`, `<end>` and padding). */
  targetVocabSize: number;
  /** Longest source or target sequence (one table of learned positions serves both). */
  maxLength: number;
  /** Model dimension C. */
  dModel: number;
  /** Attention heads; must divide dModel. */
  numHeads: number;
  /** Encoder blocks. */
  encoderLayers: number;
  /** Decoder blocks. */
  decoderLayers: number;
  /** Feed-forward width (default 4 × dModel). */
  dFF?: number;
  /** Feed-forward activation (default "gelu"). */
  activation?: Activation;
  /** LayerNorm placement (default "pre"). */
  normPlacement?: NormPlacement;
  /** The padding id of both vocabularies (default 0). */
  padId?: number;
  /** Standard deviation of weight initialisation (default 0.02). */
  initStd?: number;
}

/** Check a config, naming the first bad value; returns it with defaults filled in. */
export function resolveEncoderDecoderConfig(
  config: EncoderDecoderConfig,
): Required<EncoderDecoderConfig> {
  const sizes = ["sourceVocabSize", "targetVocabSize", "maxLength", "dModel", "numHeads"] as const;
  requireModelShape("encoder-decoder", config, sizes, ["encoderLayers", "decoderLayers"]);
  const prefix = "encoder-decoder config: ";
  const block = resolveBlockConfig(config, prefix);
  for (const key of ["sourceVocabSize", "targetVocabSize", "maxLength"] as const) {
    requireTensorSize(`${prefix}${key} × dModel`, [config[key], config.dModel]);
  }
  const padId = config.padId ?? 0;
  requireId(
    `${prefix}padId (the padding id of both vocabularies)`,
    padId,
    Math.min(config.sourceVocabSize, config.targetVocabSize),
  );
  return {
    ...config,
    dFF: block.dFF,
    activation: block.activation,
    normPlacement: block.normPlacement,
    padId,
    initStd: block.initStd,
  };
}

/** What the encoder hands the decoder. */
export interface Encoded {
  [key: string]: tf.Tensor;
  /** The encoder output, `(B, Ts, C)`. */
  memory: tf.Tensor3D;
  /** 1 at real source positions, 0 at padding, `(B, 1, 1, Ts)`. */
  memoryMask: tf.Tensor4D;
}

/** An encoder-decoder transformer. */
export class EncoderDecoder extends Module {
  /** The config, defaults filled in. */
  readonly config: Required<EncoderDecoderConfig>;
  /** Source token embeddings. */
  readonly sourceEmbedding: Embedding;
  /** Target token embeddings. */
  readonly targetEmbedding: Embedding;
  /** Learned positions, shared by source and target. */
  readonly positions: LearnedPositions;
  /** The encoder's blocks. */
  readonly encoderBlocks: TransformerBlock[];
  /** The encoder's final LayerNorm. */
  readonly encoderNorm: LayerNorm;
  /** The decoder's blocks. */
  readonly decoderBlocks: TransformerBlock[];
  /** The decoder's final LayerNorm. */
  readonly decoderNorm: LayerNorm;
  /** Scores over the target vocabulary, `(C, V_t)`. */
  readonly output: Linear;

  constructor(config: EncoderDecoderConfig) {
    super();
    this.config = resolveEncoderDecoderConfig(config);
    const {
      sourceVocabSize,
      targetVocabSize,
      maxLength,
      dModel,
      numHeads,
      dFF,
      activation,
      normPlacement,
      initStd,
    } = this.config;
    const block = { dModel, numHeads, dFF, activation, normPlacement, initStd };
    const parts = freeOnFailure(() => ({
      sourceEmbedding: new Embedding(sourceVocabSize, dModel, { initStd }),
      targetEmbedding: new Embedding(targetVocabSize, dModel, { initStd }),
      positions: new LearnedPositions(maxLength, dModel, { initStd }),
      encoderBlocks: Array.from(
        { length: this.config.encoderLayers },
        () => new TransformerBlock(block),
      ),
      encoderNorm: new LayerNorm(dModel),
      decoderBlocks: Array.from(
        { length: this.config.decoderLayers },
        () => new TransformerBlock({ ...block, crossAttention: true }),
      ),
      decoderNorm: new LayerNorm(dModel),
      output: new Linear(dModel, targetVocabSize, { initStd }),
    }));
    this.sourceEmbedding = parts.sourceEmbedding;
    this.targetEmbedding = parts.targetEmbedding;
    this.positions = parts.positions;
    this.encoderBlocks = parts.encoderBlocks;
    this.encoderNorm = parts.encoderNorm;
    this.decoderBlocks = parts.decoderBlocks;
    this.decoderNorm = parts.decoderNorm;
    this.output = parts.output;
  }

  /** Run the encoder over `source` `(B, Ts)`; padding positions are hidden from every query. */
  encode(source: tf.Tensor2D): Encoded {
    requireTokenIds(source, "source", this.config.maxLength);
    return tf.tidy(() => {
      const Ts = source.shape[1];
      const memoryMask = paddingMask(source, this.config.padId).expandDims(1) as tf.Tensor4D; // (B, 1, 1, Ts)
      let x = this.sourceEmbedding.apply(source).add(this.positions.apply(Ts)) as tf.Tensor3D; // (B, Ts, C)
      for (const block of this.encoderBlocks) x = block.apply(x, { mask: memoryMask }).output;
      return { memory: this.encoderNorm.apply(x) as tf.Tensor3D, memoryMask };
    });
  }

  /**
   * Decoder logits `(B, Tt, V_t)` for the target so far `(B, Tt)`, reading `encoded`. Each
   * position sees earlier target positions only (causal), and no padding.
   */
  decode(targetIn: tf.Tensor2D, encoded: Encoded, weights?: { cross: tf.Tensor4D[] }): tf.Tensor3D {
    requireTokenIds(targetIn, "target", this.config.maxLength);
    return tf.tidy(() => {
      const Tt = targetIn.shape[1];
      const selfMask = causalMask(Tt).mul(paddingMask(targetIn, this.config.padId).expandDims(1)); // (B, 1, Tt, Tt)
      let x = this.targetEmbedding.apply(targetIn).add(this.positions.apply(Tt)) as tf.Tensor3D; // (B, Tt, C)
      for (const block of this.decoderBlocks) {
        const result = block.apply(x, {
          mask: selfMask,
          memory: encoded.memory,
          memoryMask: encoded.memoryMask,
        });
        x = result.output;
        if (weights) weights.cross.push(tf.keep(result.crossWeights!));
      }
      const [B, , C] = x.shape;
      return this.output.apply(this.decoderNorm.apply(x).reshape([B * Tt, C])).reshape([
        B,
        Tt,
        -1,
      ]) as tf.Tensor3D;
    });
  }

  /** Logits for teacher forcing: `decode(targetIn, encode(source))`. */
  forward(source: tf.Tensor2D, targetIn: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => this.decode(targetIn, this.encode(source)));
  }

  /** Mean cross-entropy of `targetOut` (padding left out), with optional label smoothing. */
  loss(
    source: tf.Tensor2D,
    targetIn: tf.Tensor2D,
    targetOut: tf.Tensor2D,
    labelSmoothing = 0,
  ): tf.Scalar {
    return tf.tidy(() =>
      crossEntropy(this.forward(source, targetIn), targetOut, {
        ignoreId: this.config.padId,
        labelSmoothing,
      })
    );
  }

  /** Sub-layers, named as in checkpoints. */
  protected override submodules(): Record<string, Module> {
    const modules: Record<string, Module> = {
      sourceEmbedding: this.sourceEmbedding,
      targetEmbedding: this.targetEmbedding,
      positions: this.positions,
      encoderNorm: this.encoderNorm,
      decoderNorm: this.decoderNorm,
      output: this.output,
    };
    this.encoderBlocks.forEach((b, i) => (modules[`encoder.${i}`] = b));
    this.decoderBlocks.forEach((b, i) => (modules[`decoder.${i}`] = b));
    return modules;
  }
}
