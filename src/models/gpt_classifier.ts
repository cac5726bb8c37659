/**
 * A GPT turned into a classifier: the same blocks, and instead of the LM head (which scores
 * every token of the vocabulary as the next one) a small head that scores K classes from one
 * vector per text: the hidden state of its **last real token** (`pooling: "last"`, the default,
 * as GPT-1), or the **mean** of every real token's state (`"mean"`).
 *
 *     ids (B, T) → GPT blocks → final norm (B, T, C) → h[b, last[b]] or mean (B, C) → · W + b (B, K)
 *
 * Why the last token: attention is causal, so only the last position has read the whole text.
 * Texts shorter than T are padded on the right; the padding comes after every real token, so it
 * cannot change what they see, and the mean leaves it out. The GPT's own LM head, if it has one,
 * is not used: it is frozen (see `setTrainable`), so training never counts it.
 *
 * With `lora` in the config, every attention projection (W_Q, W_K, W_V, W_O of every block)
 * gets a LoRA adapter (`nn/lora.ts`), for fine-tuning with the pretrained weights frozen.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { requireOneOf, requirePositiveInteger } from "../runtime/checks.ts";
import { crossEntropy } from "../nn/cross_entropy.ts";
import type { ForwardOptions } from "../nn/dropout.ts";
import { Linear } from "../nn/linear.ts";
import { addLoRA, type LoRAOptions } from "../nn/lora.ts";
import { freeOnFailure, Module, setTrainable } from "../nn/module.ts";
import { GPT, type GPTConfig, resolveGPTConfig } from "./gpt.ts";

/** The shape of a {@link GPTClassifier}. */
export interface GPTClassifierConfig {
  /** The GPT it is built on. */
  gpt: GPTConfig;
  /** Number of classes K. */
  numClasses: number;
  /** LoRA adapters on every attention projection (default none: `null`). */
  lora?: LoRAOptions | null;
  /**
   * What the head reads: "last" (default), the last real token's state; "mean", the mean of the
   * states of every real token.
   */
  pooling?: Pooling;
}

/** How a classifier sums up a text's hidden states into one vector. */
export type Pooling = "last" | "mean";

/** Check a classifier config, naming the first bad value; returns it with defaults filled in. */
export function resolveGPTClassifierConfig(
  config: GPTClassifierConfig,
): Required<GPTClassifierConfig> {
  requirePositiveInteger("GPT classifier numClasses", config.numClasses);
  if (config.numClasses < 2) {
    throw new RangeError(`a classifier needs at least 2 classes, got ${config.numClasses}`);
  }
  const pooling = config.pooling ?? "last";
  requireOneOf("GPT classifier pooling", pooling, ["last", "mean"]);
  return {
    gpt: resolveGPTConfig(config.gpt),
    numClasses: config.numClasses,
    lora: config.lora ?? null,
    pooling,
  };
}

/** A GPT with a classification head on its last real token, or on the mean of its tokens. */
export class GPTClassifier extends Module {
  /** The config, defaults filled in. */
  readonly config: Required<GPTClassifierConfig>;
  /** The GPT whose features are classified (its own LM head, if any, is not used). */
  readonly gpt: GPT;
  /** The classification head, `(C, K)`. */
  readonly head: Linear;

  constructor(config: GPTClassifierConfig) {
    super();
    this.config = resolveGPTClassifierConfig(config);
    const parts = freeOnFailure(() => {
      const gpt = new GPT(this.config.gpt);
      const head = new Linear(gpt.config.dModel, this.config.numClasses, {
        initStd: gpt.config.initStd,
      });
      if (this.config.lora) addLoRA(attentionProjections(gpt), this.config.lora);
      if (gpt.head) setTrainable(gpt.head, false); // the LM head: not part of the classifier
      return { gpt, head };
    });
    this.gpt = parts.gpt;
    this.head = parts.head;
  }

  /**
   * Class scores: `ids` `(B, T)` and `last` `(B)` int32, the index of each row's last real
   * token → logits `(B, K)`.
   */
  forward(ids: tf.Tensor2D, last: tf.Tensor1D, options: ForwardOptions = {}): tf.Tensor2D {
    const [B, T] = ids.shape;
    if (last.rank !== 1 || last.shape[0] !== B || last.dtype !== "int32") {
      throw new RangeError(
        `last must be an int32 tensor of shape [${B}] (one index per row of ids [${ids.shape}]), ` +
          `got ${last.dtype} [${last.shape}]`,
      );
    }
    const indices = last.dataSync();
    const bad = indices.findIndex((t) => !(t >= 0 && t < T));
    if (bad >= 0) {
      throw new RangeError(
        `last[${bad}] = ${indices[bad]} is not a position of ids (0 … ${T - 1})`,
      );
    }
    return tf.tidy(() => {
      const h = this.gpt.features(ids, options); // (B, T, C)
      const C = h.shape[2];
      if (this.config.pooling === "mean") {
        const real = tf.tensor2d(
          Array.from(
            indices,
            (t) => Array.from({ length: T }, (_, i) => (i <= t ? 1 / (t + 1) : 0)),
          ),
          [B, T],
        ); // (B, T): 1 / length on the real tokens, 0 on the padding
        const pooled = real.expandDims(2).mul(h).sum(1); // (B, C)
        return this.head.apply(pooled) as tf.Tensor2D; // (B, K)
      }
      const rows = tf.tensor1d(indices.map((t, b) => b * T + t), "int32"); // b · T + last[b]
      const lastStates = h.reshape([B * T, C]).gather(rows); // (B, C)
      return this.head.apply(lastStates) as tf.Tensor2D; // (B, K)
    });
  }

  /**
   * Mean cross-entropy of the true classes `labels` `(B)` int32; with `options.training`,
   * dropout drops (if the GPT has any).
   */
  loss(
    ids: tf.Tensor2D,
    last: tf.Tensor1D,
    labels: tf.Tensor1D,
    options: ForwardOptions = {},
  ): tf.Scalar {
    return tf.tidy(() => crossEntropy(this.forward(ids, last, options), labels));
  }

  /** Sub-layers, named as in checkpoints: `gpt.…` and `head.…`. */
  protected override submodules(): Record<string, Module> {
    return { gpt: this.gpt, head: this.head };
  }
}

/** Every attention projection of `gpt`: W_Q, W_K, W_V and W_O of each block, in block order. */
export function attentionProjections(gpt: GPT): Linear[] {
  return gpt.blocks.flatMap(({ attention: a }) => [a.query, a.key, a.value, a.output]);
}
