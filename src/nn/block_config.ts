/**
 * The settings shared by transformer blocks, with their checks.
 *
 * @module
 */
import { requirePositiveInteger, requireTensorSize } from "../runtime/checks.ts";
import { requireHeadsDivide, requireInitStd } from "./checks.ts";
import { type Activation, requireActivation } from "./feed_forward.ts";
import type { NormOrder } from "./residual.ts";

/** Settings of a transformer block. */
export interface BlockConfig {
  /** Model dimension C (d_model). */
  dModel: number;
  /** Number of attention heads; must divide `dModel`. */
  numHeads: number;
  /** Width of the feed-forward layer (default 4 × dModel). */
  dFF?: number;
  /** Feed-forward activation (default "gelu"). */
  activation?: Activation;
  /** LayerNorm placement (default "pre", as GPT-2; "post" is the original transformer). */
  norm?: NormOrder;
  /** Standard deviation of weight initialisation (default 0.02). */
  initStd?: number;
}

/**
 * The config with defaults filled in; throws an error naming the first bad value, its message
 * starting with `prefix` (a model names itself: `"GPT config: "`).
 */
export function resolveBlockConfig(config: BlockConfig, prefix = ""): Required<BlockConfig> {
  requirePositiveInteger(`${prefix}dModel`, config.dModel);
  requirePositiveInteger(`${prefix}numHeads`, config.numHeads);
  requireHeadsDivide(config.dModel, config.numHeads, prefix);
  const resolved: Required<BlockConfig> = {
    dModel: config.dModel,
    numHeads: config.numHeads,
    dFF: config.dFF ?? 4 * config.dModel,
    activation: config.activation ?? "gelu",
    norm: config.norm ?? "pre",
    initStd: config.initStd ?? 0.02,
  };
  requirePositiveInteger(`${prefix}dFF`, resolved.dFF);
  requireTensorSize(`${prefix}dModel × dModel (an attention projection)`, [
    resolved.dModel,
    resolved.dModel,
  ]);
  requireTensorSize(`${prefix}dModel × dFF (a feed-forward weight)`, [
    resolved.dModel,
    resolved.dFF,
  ]);
  requireActivation(`${prefix}activation`, resolved.activation);
  if (resolved.norm !== "pre" && resolved.norm !== "post") {
    throw new RangeError(
      `${prefix}norm must be "pre" or "post", got ${JSON.stringify(resolved.norm)}`,
    );
  }
  requireInitStd(`${prefix}initStd`, resolved.initStd);
  return resolved;
}
