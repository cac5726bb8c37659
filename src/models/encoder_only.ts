/**
 * An encoder-only transformer, BERT's design: every position attends to every other (no causal
 * mask; padding hidden), so each output vector describes its token *in the context of the whole
 * sentence*, left and right. It is trained by masked-language modelling: some tokens are
 * hidden behind `[MASK]` and the model predicts them from both sides.
 *
 *     ids (B, T) → E + P → N encoder blocks (padding mask) → LN → h (B, T, C)
 *     h at the masked positions (N, C) → Linear → GELU → LN → · Eᵀ + b (tied) → logits (N, V)
 *
 * The prediction head is BERT's: a small transform of its own before the tied output layer,
 * so the encoder's vectors need not double as output vectors, and an output bias b, which
 * holds how common each token is, leaving the vectors free to carry context.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { requireId, requireIds, requireTensorSize } from "../runtime/checks.ts";
import { paddingMask } from "../nn/attention.ts";
import { resolveBlockConfig } from "../nn/block_config.ts";
import { requireModelShape, requireTokenIds } from "../nn/checks.ts";
import { crossEntropy } from "../nn/cross_entropy.ts";
import { Embedding } from "../nn/embedding.ts";
import { type Activation, gelu } from "../nn/feed_forward.ts";
import { LayerNorm } from "../nn/layer_norm.ts";
import { Linear } from "../nn/linear.ts";
import { freeOnFailure, Module } from "../nn/module.ts";
import { LearnedPositions } from "../nn/positional.ts";
import { TransformerBlock } from "../nn/transformer_block.ts";

/** The shape of an encoder-only model. */
export interface EncoderOnlyConfig {
  /** Number of token ids. */
  vocabSize: number;
  /** Longest sequence (the learned positions). */
  maxLength: number;
  /** Model dimension C. */
  dModel: number;
  /** Attention heads per block; must divide dModel. */
  numHeads: number;
  /** Number of blocks. */
  numLayers: number;
  /** Feed-forward width (default 4 × dModel). */
  dFF?: number;
  /** Feed-forward activation (default "gelu"). */
  activation?: Activation;
  /** The padding id (default 0). */
  padId?: number;
  /** Standard deviation of weight initialisation (default 0.02). */
  initStd?: number;
}

/** Check a config, naming the first bad value; returns it with defaults filled in. */
export function resolveEncoderOnlyConfig(config: EncoderOnlyConfig): Required<EncoderOnlyConfig> {
  requireModelShape("encoder-only", config, ["vocabSize", "maxLength", "dModel", "numHeads"], [
    "numLayers",
  ]);
  const prefix = "encoder-only config: ";
  const block = resolveBlockConfig(config, prefix);
  for (const key of ["vocabSize", "maxLength"] as const) {
    requireTensorSize(`${prefix}${key} × dModel`, [config[key], config.dModel]);
  }
  const padId = config.padId ?? 0;
  requireId(`${prefix}padId`, padId, config.vocabSize);
  return {
    ...config,
    dFF: block.dFF,
    activation: block.activation,
    padId,
    initStd: block.initStd,
  };
}

/** A BERT-style encoder with a tied masked-language-model head. */
export class EncoderOnly extends Module {
  /** The config, defaults filled in. */
  readonly config: Required<EncoderOnlyConfig>;
  /** Token embeddings E, `(V, C)`; also the output layer. */
  readonly tokenEmbedding: Embedding;
  /** Learned positions P. */
  readonly positions: LearnedPositions;
  /** The blocks (pre-norm, no causal mask). */
  readonly blocks: TransformerBlock[];
  /** The final LayerNorm. */
  readonly finalNorm: LayerNorm;
  /** The prediction head's transform, `(C, C)`, before GELU and {@link headNorm}. */
  readonly headTransform: Linear;
  /** The prediction head's LayerNorm. */
  readonly headNorm: LayerNorm;
  /** The output bias, `(V)`. */
  readonly outputBias: tf.Variable;

  constructor(config: EncoderOnlyConfig) {
    super();
    this.config = resolveEncoderOnlyConfig(config);
    const { vocabSize, maxLength, dModel, numHeads, numLayers, dFF, activation, initStd } =
      this.config;
    const parts = freeOnFailure(() => ({
      tokenEmbedding: new Embedding(vocabSize, dModel, { initStd }),
      positions: new LearnedPositions(maxLength, dModel, { initStd }),
      blocks: Array.from(
        { length: numLayers },
        () => new TransformerBlock({ dModel, numHeads, dFF, activation, initStd }),
      ),
      finalNorm: new LayerNorm(dModel),
      headTransform: new Linear(dModel, dModel, { initStd }),
      headNorm: new LayerNorm(dModel),
      outputBias: tf.tidy(() => tf.variable(tf.zeros([vocabSize]))),
    }));
    this.tokenEmbedding = parts.tokenEmbedding;
    this.positions = parts.positions;
    this.blocks = parts.blocks;
    this.finalNorm = parts.finalNorm;
    this.headTransform = parts.headTransform;
    this.headNorm = parts.headNorm;
    this.outputBias = parts.outputBias;
  }

  /**
   * What happens inside: the input `E + P` and each block's output `(B, T, C)`, the final
   * contextual vectors `(B, T, C)` (after the last LayerNorm), and each block's attention
   * weights `(B, H, T, T)`.
   */
  trace(
    ids: tf.Tensor2D,
  ): { hidden: tf.Tensor3D[]; output: tf.Tensor3D; attention: tf.Tensor4D[] } {
    requireTokenIds(ids, "sequence", this.config.maxLength);
    return tf.tidy(() => {
      const mask = paddingMask(ids, this.config.padId).expandDims(1); // (B, 1, 1, T)
      let x = this.tokenEmbedding.apply(ids).add(this.positions.apply(ids.shape[1])) as tf.Tensor3D; // (B, T, C)
      const hidden = [x];
      const attention: tf.Tensor4D[] = [];
      for (const block of this.blocks) {
        const result = block.apply(x, { mask });
        x = result.output;
        hidden.push(x);
        attention.push(result.weights);
      }
      return { hidden, output: this.finalNorm.apply(x) as tf.Tensor3D, attention };
    });
  }

  /** The contextual vector of every position, `(B, T)` → `(B, T, C)`. */
  encode(ids: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => this.trace(ids).output);
  }

  /**
   * Logits over the vocabulary at chosen positions: `positions` are flat indices `b · T + t`
   * into the batch `(N)`; the result is `(N, V)`. Only those rows go through the output layer.
   */
  logitsAt(ids: tf.Tensor2D, positions: tf.Tensor1D): tf.Tensor2D {
    requireTokenIds(ids, "sequence", this.config.maxLength);
    if (positions.rank !== 1 || positions.dtype !== "int32") {
      throw new TypeError(
        `positions must be an int32 tensor of shape (N), got ${positions.dtype} ` +
          `[${positions.shape}]`,
      );
    }
    const [B, T] = ids.shape;
    requireIds("masked position", positions.dataSync(), B * T);
    return tf.tidy(() => {
      const h = this.encode(ids).reshape([B * T, this.config.dModel]); // (B·T, C)
      const picked = tf.gather(h, positions); // (N, C)
      const transformed = this.headNorm.apply(gelu(this.headTransform.apply(picked))); // (N, C)
      return transformed.matMul(this.tokenEmbedding.table, false, true).add(
        this.outputBias,
      ) as tf.Tensor2D; // (N, V)
    });
  }

  /** Mean cross-entropy of `labels` `(N)` at `positions` `(N)` (flat indices) of `ids`. */
  loss(ids: tf.Tensor2D, positions: tf.Tensor1D, labels: tf.Tensor1D): tf.Scalar {
    return tf.tidy(() => crossEntropy(this.logitsAt(ids, positions), labels));
  }

  /** The output bias, named as in checkpoints. */
  protected override ownParameters(): Record<string, tf.Variable> {
    return { outputBias: this.outputBias };
  }

  /** Sub-layers, named as in checkpoints. */
  protected override submodules(): Record<string, Module> {
    const modules: Record<string, Module> = {
      tokenEmbedding: this.tokenEmbedding,
      positions: this.positions,
      finalNorm: this.finalNorm,
      headTransform: this.headTransform,
      headNorm: this.headNorm,
    };
    this.blocks.forEach((block, i) => (modules[`blocks.${i}`] = block));
    return modules;
  }
}
