/**
 * Checks of tensors and model shapes shared by layers and models, with messages that say what
 * was expected. (Checks of plain numbers and ids are in `runtime/checks.ts`.)
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { requireInRange, requirePositiveInteger } from "../runtime/checks.ts";

/** The most blocks a stack may have: far more than any model needs, and a bound on typos. */
export const MAX_LAYERS = 1000;

/**
 * The largest standard deviation of initial weights accepted (the course uses 0.02, and 1 at
 * most): larger weights make a deep stack's activations overflow float32.
 */
export const MAX_INIT_STD = 10;

/** Throw unless `initStd`, the standard deviation of initial weights, is in [0, 10]. */
export function requireInitStd(what: string, initStd: unknown): asserts initStd is number {
  requireInRange(what, initStd, 0, MAX_INIT_STD);
}

/** Throw unless `numHeads` divides `dModel` (each head gets `dModel / numHeads` dimensions). */
export function requireHeadsDivide(dModel: number, numHeads: number, prefix = ""): void {
  if (dModel % numHeads !== 0) {
    throw new RangeError(
      `${prefix}dModel (${dModel}) must be divisible by numHeads (${numHeads}): ` +
        "each head gets dModel / numHeads dimensions",
    );
  }
}

/**
 * Throw unless `numKVHeads`, the key/value heads of grouped-query attention, is a positive
 * integer that divides `numHeads` (each serves `numHeads / numKVHeads` query heads).
 */
export function requireKVHeadsDivide(numHeads: number, numKVHeads: unknown, prefix = ""): void {
  requirePositiveInteger(`${prefix}numKVHeads`, numKVHeads);
  if (numHeads % numKVHeads !== 0) {
    throw new RangeError(
      `${prefix}numKVHeads (${numKVHeads}) must divide numHeads (${numHeads}): ` +
        "each key/value head serves numHeads / numKVHeads query heads",
    );
  }
}

/**
 * Check a model config: each of `sizes` a positive integer, each of `layers` one of at most
 * {@link MAX_LAYERS}, and `numHeads` dividing `dModel`. Messages start with `"<name> config: "`.
 */
export function requireModelShape<K extends string, L extends string>(
  name: string,
  config: Record<K | L | "dModel" | "numHeads", unknown>,
  sizes: readonly K[],
  layers: readonly L[],
): void {
  for (const key of sizes) requirePositiveInteger(`${name} config: ${key}`, config[key]);
  for (const key of layers) {
    requirePositiveInteger(`${name} config: ${key}`, config[key], MAX_LAYERS);
  }
  requireHeadsDivide(config.dModel as number, config.numHeads as number, `${name} config: `);
}

/**
 * Check a batch of token ids `(B, T)`: an int32 tensor of rank 2 whose `offset + T` positions
 * fit in `maxLength` (`limitName` names that limit in the message, e.g. "the context length").
 */
export function requireTokenIds(
  ids: tf.Tensor,
  what: string,
  maxLength: number,
  limitName = "maxLength",
  offset = 0,
): void {
  if (ids.rank !== 2 || ids.dtype !== "int32") {
    throw new RangeError(
      `${what} ids must be an int32 tensor of shape (B, T), got ${ids.dtype} [${ids.shape}]`,
    );
  }
  const length = offset + (ids.shape[1] as number);
  if (length > maxLength) {
    throw new RangeError(`${what} of ${length} tokens is longer than ${limitName} ${maxLength}`);
  }
}
