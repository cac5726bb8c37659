/**
 * The settings of a transformer block, with their checks.
 *
 * @module
 */
import {
  requireBoolean,
  requireOneOf,
  requirePositiveInteger,
  requireTensorSize,
} from "../runtime/checks.ts";
import { FEED_FORWARDS, type FeedForwardKind, type NormKind, NORMS } from "./block_parts.ts";
import { requireHeadsDivide, requireInitStd, requireKVHeadsDivide } from "./checks.ts";
import { requireDropoutRate } from "./dropout.ts";
import { type Activation, requireActivation } from "./feed_forward.ts";
import type { NormPlacement } from "./residual.ts";
import { swigluWidth } from "./swiglu.ts";

/** Settings of a transformer block. */
export interface BlockConfig {
  /** Model dimension C (d_model). */
  dModel: number;
  /** Number of attention heads; must divide `dModel`. */
  numHeads: number;
  /**
   * Key/value heads of self-attention (default `numHeads`: multi-head attention); fewer is
   * grouped-query attention, 1 multi-query. Must divide `numHeads`.
   */
  numKVHeads?: number;
  /**
   * Width of the feed-forward layer (default 4 × dModel; for "swiglu" ⌊8 × dModel / 3⌋, which
   * gives it the parameters of an MLP of 4 × dModel).
   */
  dFF?: number;
  /** Kind of feed-forward network (default "mlp"; see `block_parts.ts`). */
  feedForward?: FeedForwardKind;
  /** Activation of the feed-forward network (default "gelu"). */
  activation?: Activation;
  /** Kind of normalisation (default "layer": LayerNorm; see `block_parts.ts`). */
  norm?: NormKind;
  /** Where the norms go (default "pre", as GPT-2; "post" is the original transformer). */
  normPlacement?: NormPlacement;
  /** Add cross-attention to an encoder's output (a decoder of an encoder-decoder; default false). */
  crossAttention?: boolean;
  /** Biases in the attention projections and the feed-forward network (default true, as GPT-2). */
  bias?: boolean;
  /** Standard deviation of weight initialisation (default 0.02). */
  initStd?: number;
  /**
   * Dropout rate of each sub-layer's output before it joins the residual stream, in training
   * only (default 0: none; see `dropout.ts`). Only the GPT passes training mode to its blocks
   * today; the encoder-decoder and the encoder-only model never drop.
   */
  dropout?: number;
}

/** Options of {@link resolveBlockConfig}. */
export interface ResolveOptions {
  /**
   * Check that every weight fits in one tensor here (default true); false describes a model too
   * large to build (a table of real models' sizes).
   */
  buildHere?: boolean;
}

/**
 * The config with defaults filled in; throws an error naming the first bad value, its message
 * starting with `prefix` (a model names itself: `"GPT config: "`).
 */
export function resolveBlockConfig(
  config: BlockConfig,
  prefix = "",
  { buildHere = true }: ResolveOptions = {},
): Required<BlockConfig> {
  requirePositiveInteger(`${prefix}dModel`, config.dModel);
  requirePositiveInteger(`${prefix}numHeads`, config.numHeads);
  requireHeadsDivide(config.dModel, config.numHeads, prefix);
  const feedForward = config.feedForward ?? "mlp";
  requireOneOf(`${prefix}feedForward`, feedForward, kinds(FEED_FORWARDS));
  const resolved: Required<BlockConfig> = {
    dModel: config.dModel,
    numHeads: config.numHeads,
    numKVHeads: config.numKVHeads ?? config.numHeads,
    dFF: config.dFF ?? (feedForward === "swiglu" ? swigluWidth(config.dModel) : 4 * config.dModel),
    feedForward,
    activation: config.activation ?? "gelu",
    norm: config.norm ?? "layer",
    normPlacement: config.normPlacement ?? "pre",
    crossAttention: config.crossAttention ?? false,
    bias: config.bias ?? true,
    initStd: config.initStd ?? 0.02,
    dropout: config.dropout ?? 0,
  };
  requireKVHeadsDivide(resolved.numHeads, resolved.numKVHeads, prefix);
  requirePositiveInteger(`${prefix}dFF`, resolved.dFF);
  if (buildHere) {
    requireTensorSize(`${prefix}dModel × dModel (an attention projection)`, [
      resolved.dModel,
      resolved.dModel,
    ]);
    requireTensorSize(`${prefix}dModel × dFF (a feed-forward weight)`, [
      resolved.dModel,
      resolved.dFF,
    ]);
  }
  requireActivation(`${prefix}activation`, resolved.activation);
  requireOneOf(`${prefix}norm`, resolved.norm, kinds(NORMS));
  requireOneOf(`${prefix}normPlacement`, resolved.normPlacement, ["pre", "post"]);
  requireBoolean(`${prefix}crossAttention`, resolved.crossAttention);
  requireBoolean(`${prefix}bias`, resolved.bias);
  requireInitStd(`${prefix}initStd`, resolved.initStd);
  requireDropoutRate(`${prefix}dropout`, resolved.dropout);
  return resolved;
}

/** The names of a registry's entries. */
function kinds<K extends string>(registry: Record<K, unknown>): K[] {
  return Object.keys(registry) as K[];
}
