/**
 * A decoder-only transformer (GPT): token and position embeddings, a stack of pre-norm blocks
 * with causal self-attention, a final LayerNorm, and a linear "LM head" that scores every token
 * of the vocabulary as the next one.
 *
 *     ids (B, T) → E[ids] + P[0..T) (B, T, C) → N × block (B, T, C) → LN → · Wᵀ (B, T, V)
 *
 * With weight tying (the default, as GPT-2), the LM head is the token embedding table itself:
 * logits = h · Eᵀ, so a token's input and output vectors are one and the same.
 *
 * The defaults are GPT-2's design. The config names each choice that later models (Llama,
 * Mistral, Qwen) made differently, so the same class builds either ({@link LLAMA_STYLE}):
 * rotary positions inside attention instead of a position table, RMSNorm instead of LayerNorm,
 * a SwiGLU feed-forward, grouped-query attention, no biases, an untied head.
 *
 * With a `dropout` rate (default 0), a pass in training mode (`{ training: true }`) drops out
 * numbers as GPT-2's embedding and residual dropout do: the sum of the embeddings, and each
 * block's sub-layer outputs before they join the residual stream (GPT-2 also drops attention
 * weights; this model does not). Evaluation, the default of every method, and generation never
 * drop.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  requireBoolean,
  requireOneOf,
  requirePositiveNumber,
  requireTensorSize,
} from "../runtime/checks.ts";
import { causalMask } from "../nn/attention.ts";
import { resolveBlockConfig, type ResolveOptions } from "../nn/block_config.ts";
import { type FeedForwardKind, type Norm, type NormKind, NORMS } from "../nn/block_parts.ts";
import { requireModelShape, requireTokenIds } from "../nn/checks.ts";
import { crossEntropy, type CrossEntropyOptions } from "../nn/cross_entropy.ts";
import { dropout, type ForwardOptions } from "../nn/dropout.ts";
import { Embedding } from "../nn/embedding.ts";
import { type Activation } from "../nn/feed_forward.ts";
import { LayerCache } from "../nn/kv_cache.ts";
import { Linear } from "../nn/linear.ts";
import { freeOnFailure, Module } from "../nn/module.ts";
import { LearnedPositions } from "../nn/positional.ts";
import { RotaryPositions } from "../nn/rotary.ts";
import { TransformerBlock } from "../nn/transformer_block.ts";

/** The shape of a GPT. */
export interface GPTConfig {
  /** Number of token ids. */
  vocabSize: number;
  /**
   * Longest sequence the model reads at once: the learned positions' table, or with rotary
   * positions the window its KV cache slides along in generation.
   */
  contextLength: number;
  /** Model dimension C. */
  dModel: number;
  /** Attention heads per block; must divide dModel. */
  numHeads: number;
  /** Number of blocks. */
  numLayers: number;
  /** Feed-forward width (default 4 × dModel; ⌊8 × dModel / 3⌋ for "swiglu"). */
  dFF?: number;
  /** Feed-forward activation of the "mlp" kind (default "gelu"). */
  activation?: Activation;
  /** Use the token embedding as the LM head (default true). */
  tieWeights?: boolean;
  /** Standard deviation of weight initialisation (default 0.02). */
  initStd?: number;
  /**
   * How the model knows positions: "learned" (default, GPT-2: a trained vector per position added
   * to the input) or "rotary" (queries and keys turned by their position inside attention).
   */
  positions?: PositionKind;
  /** The frequencies' base of rotary positions (default 10,000). */
  ropeBase?: number;
  /** Kind of every norm, the final one included (default "layer"; "rms" as Llama). */
  norm?: NormKind;
  /** Kind of feed-forward network (default "mlp"; "swiglu" as Llama). */
  feedForward?: FeedForwardKind;
  /** Key/value heads (default numHeads; fewer is grouped-query attention). */
  numKVHeads?: number;
  /** Biases in the attention and feed-forward maps (default true; Llama has none). */
  bias?: boolean;
  /**
   * Dropout rate, in training only: the embeddings' sum and each block's sub-layer outputs
   * (default 0: none).
   */
  dropout?: number;
}

/** The position schemes of a GPT. */
export type PositionKind = "learned" | "rotary";

/**
 * The choices of a Llama-style model, to spread into a config (`{ ...LLAMA_STYLE, vocabSize, … }`);
 * `numKVHeads` is left to the config.
 */
export const LLAMA_STYLE = {
  positions: "rotary",
  norm: "rms",
  feedForward: "swiglu",
  bias: false,
  tieWeights: false,
} as const satisfies Partial<GPTConfig>;

/**
 * Check a GPT config, naming the first bad value; returns it with defaults filled in. With
 * `buildHere: false` it skips the checks that each weight fits in one tensor here (for sizing
 * real models, `countParameters`).
 */
export function resolveGPTConfig(
  config: GPTConfig,
  options: ResolveOptions = {},
): Required<GPTConfig> {
  const prefix = "GPT config: ";
  requireModelShape("GPT", config, ["vocabSize", "contextLength", "dModel", "numHeads"], [
    "numLayers",
  ]);
  const block = resolveBlockConfig(config, prefix, options);
  if (options.buildHere ?? true) {
    requireTensorSize(`${prefix}vocabSize × dModel`, [config.vocabSize, config.dModel]);
    requireTensorSize(`${prefix}contextLength × dModel`, [config.contextLength, config.dModel]);
  }
  const tieWeights = config.tieWeights ?? true;
  requireBoolean(`${prefix}tieWeights`, tieWeights);
  const positions = config.positions ?? "learned";
  requireOneOf(`${prefix}positions`, positions, ["learned", "rotary"]);
  const ropeBase = config.ropeBase ?? 10000;
  requirePositiveNumber(`${prefix}ropeBase`, ropeBase);
  if (positions === "rotary" && (config.dModel / config.numHeads) % 2 !== 0) {
    throw new RangeError(
      `${prefix}rotary positions turn pairs of numbers, so the head size dModel / numHeads ` +
        `must be even; got ${config.dModel} / ${config.numHeads} = ${
          config.dModel / config.numHeads
        }`,
    );
  }
  return {
    vocabSize: config.vocabSize,
    contextLength: config.contextLength,
    dModel: config.dModel,
    numHeads: config.numHeads,
    numLayers: config.numLayers,
    dFF: block.dFF,
    activation: block.activation,
    tieWeights,
    initStd: block.initStd,
    positions,
    ropeBase,
    norm: block.norm,
    feedForward: block.feedForward,
    numKVHeads: block.numKVHeads,
    bias: block.bias,
    dropout: block.dropout,
  };
}

/** The key/value caches of all blocks of a GPT, for incremental decoding. */
export class GPTCache {
  /** One cache per block. */
  readonly layers: LayerCache[];
  constructor(numLayers: number) {
    this.layers = Array.from({ length: numLayers }, () => new LayerCache());
  }
  /** Positions cached now. */
  get length(): number {
    return this.layers[0]?.length ?? 0;
  }
  /** The index in the text of the next position (cached positions plus dropped ones). */
  get position(): number {
    return this.layers[0]?.position ?? 0;
  }
  /** Forget the `count` earliest positions of every block (see `LayerCache.dropOldest`). */
  dropOldest(count: number): void {
    for (const layer of this.layers) layer.dropOldest(count);
  }
  /** Free all cached tensors. */
  clear(): void {
    for (const layer of this.layers) layer.clear();
  }
}

/** A GPT language model. */
export class GPT extends Module {
  /** The config, defaults filled in. */
  readonly config: Required<GPTConfig>;
  /** Token embeddings E, `(V, C)`. */
  readonly tokenEmbedding: Embedding;
  /** Learned positions P, `(contextLength, C)`; none with rotary positions. */
  readonly #positionTable?: LearnedPositions;
  /** Rotary positions, shared by every block's self-attention; none with learned ones. */
  readonly rotary?: RotaryPositions;
  /** The blocks (pre-norm, used with a causal mask). */
  readonly blocks: TransformerBlock[];
  /** The final norm. */
  readonly finalNorm: Norm;
  /** The LM head, `(C, V)`, when weights are not tied. */
  readonly head?: Linear;

  constructor(config: GPTConfig) {
    super();
    this.config = resolveGPTConfig(config);
    const { vocabSize, contextLength, dModel, numHeads, numLayers, initStd } = this.config;
    this.rotary = this.config.positions === "rotary"
      ? new RotaryPositions(dModel / numHeads, this.config.ropeBase)
      : undefined;
    const parts = freeOnFailure(() => ({
      tokenEmbedding: new Embedding(vocabSize, dModel, { initStd }),
      positions: this.rotary ? undefined : new LearnedPositions(contextLength, dModel, { initStd }),
      blocks: Array.from(
        { length: numLayers },
        // The config holds every setting of a block (a block reads only those).
        () => new TransformerBlock(this.config, { positions: this.rotary }),
      ),
      finalNorm: NORMS[this.config.norm](dModel),
      head: this.config.tieWeights
        ? undefined
        : new Linear(dModel, vocabSize, { bias: false, initStd }),
    }));
    this.tokenEmbedding = parts.tokenEmbedding;
    this.#positionTable = parts.positions;
    this.blocks = parts.blocks;
    this.finalNorm = parts.finalNorm;
    this.head = parts.head;
  }

  /** Learned positions P, `(contextLength, C)`; a model with rotary positions has none. */
  get positions(): LearnedPositions {
    if (this.#positionTable === undefined) {
      throw new Error(
        'this GPT has rotary positions (config.positions = "rotary"): no position table; ' +
          "its queries and keys are turned by position inside attention (model.rotary)",
      );
    }
    return this.#positionTable;
  }

  /**
   * Logits over the vocabulary for every position: `(B, T)` ids → `(B, T, V)`; with
   * `options.training`, dropout drops (see the module doc).
   */
  forward(ids: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor3D {
    return tf.tidy(() => this.lmHead(this.features(ids, options))); // (B, T, C) → (B, T, V)
  }

  /**
   * The model's input `X = E[ids] + P` for positions `past … past + T − 1`: `(B, T, C)`; with
   * rotary positions just `E[ids]` (positions enter inside attention).
   */
  private embed(ids: tf.Tensor2D, past = 0): tf.Tensor3D {
    const T = ids.shape[1];
    // The lookup first: it checks the ids before any other kernel runs (under tf.variableGrads a
    // kernel that ran before a throw leaves a tensor behind).
    const tokens = this.tokenEmbedding.apply(ids) as tf.Tensor3D; // (B, T, C)
    const table = this.#positionTable;
    if (table === undefined) return tokens;
    const positions = past === 0
      ? table.apply(T) // (T, C)
      : table.apply(past + T).slice([past, 0], [T, this.config.dModel]);
    return tokens.add(positions) as tf.Tensor3D;
  }

  /**
   * What happens inside, for pictures: the input `X = E + P` and each block's output
   * `(B, T, C)`, and each block's attention weights `(B, H, T, T)`; in training mode the input
   * after dropout.
   */
  trace(
    ids: tf.Tensor2D,
    options: ForwardOptions = {},
  ): { hidden: tf.Tensor3D[]; attention: tf.Tensor4D[] } {
    requireTokenIds(ids, "sequence", this.config.contextLength, "the context length");
    return tf.tidy(() => {
      let x = dropout(this.embed(ids), this.config.dropout, options) as tf.Tensor3D; // (B, T, C)
      const mask = causalMask(ids.shape[1]); // (T, T)
      const hidden = [x];
      const attention: tf.Tensor4D[] = [];
      for (const block of this.blocks) {
        const result = block.apply(x, { mask }, options);
        x = result.output; // (B, T, C)
        hidden.push(x);
        attention.push(result.weights);
      }
      return { hidden, attention };
    });
  }

  /**
   * The last block's output through the final norm, `(B, T, C)`: what the LM head reads, and
   * what a classification head reads instead (`gpt_classifier.ts`).
   */
  features(ids: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor3D {
    return tf.tidy(() =>
      this.finalNorm.apply(this.trace(ids, options).hidden.at(-1)!) as tf.Tensor3D
    );
  }

  /** `(B, T, C)` states after the final norm → `(B, T, V)` logits, through the LM head. */
  private lmHead(x: tf.Tensor3D): tf.Tensor3D {
    const [B, T, C] = x.shape;
    const h = x.reshape([B * T, C]); // (B·T, C)
    const logits = this.head
      ? this.head.apply(h) // (B·T, V)
      : h.matMul(this.tokenEmbedding.table, false, true); // tied: h · Eᵀ
    return logits.reshape([B, T, this.config.vocabSize]) as tf.Tensor3D;
  }

  /**
   * Logits for new tokens only, reading earlier positions from `cache` and adding the new ones
   * to it: `(B, Tnew)` → `(B, Tnew, V)`. Equal to the last `Tnew` positions of `forward` on the
   * whole sequence.
   */
  forwardCached(ids: tf.Tensor2D, cache: GPTCache): tf.Tensor3D {
    const past = cache.length;
    if (this.#positionTable !== undefined && cache.position !== past) {
      throw new Error(
        "a GPT with learned positions cannot go on from a cache that dropped positions (a " +
          "key depends on where the window starts); clear the cache, or use rotary positions",
      );
    }
    requireTokenIds(ids, "sequence", this.config.contextLength, "the context length", past);
    return tf.tidy(() => {
      let x = this.embed(ids, past); // (B, Tnew, C)
      this.blocks.forEach((block, i) => (x = block.applyCached(x, cache.layers[i])));
      return this.lmHead(this.finalNorm.apply(x) as tf.Tensor3D);
    });
  }

  /**
   * Mean next-token cross-entropy of `targets` `(B, T)` given `ids` `(B, T)`; with
   * `options.ignoreId`, positions whose target is that id (e.g. −1) are left out; with
   * `options.training`, dropout drops (a training step's loss).
   */
  loss(
    ids: tf.Tensor2D,
    targets: tf.Tensor2D,
    options: CrossEntropyOptions & ForwardOptions = {},
  ): tf.Scalar {
    const { training, ...crossEntropyOptions } = options;
    return tf.tidy(() =>
      crossEntropy(this.forward(ids, { training }), targets, crossEntropyOptions)
    );
  }

  /** A fresh cache for {@link forwardCached}. */
  newCache(): GPTCache {
    return new GPTCache(this.config.numLayers);
  }

  /** Sub-layers, named as in checkpoints. */
  protected override submodules(): Record<string, Module> {
    const modules: Record<string, Module> = { tokenEmbedding: this.tokenEmbedding };
    if (this.#positionTable) modules.positions = this.#positionTable;
    modules.finalNorm = this.finalNorm;
    this.blocks.forEach((block, i) => (modules[`blocks.${i}`] = block));
    if (this.head) modules.head = this.head;
    return modules;
  }
}
