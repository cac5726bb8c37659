/**
 * Argument checks shared by layers and models, with messages that say what was expected.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";

/** Throw `"<what> must be a positive integer, got <value>"` unless `value` is one. */
export function requirePositiveInteger(what: string, value: unknown): asserts value is number {
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
    const shown = typeof value === "number" ? String(value) : JSON.stringify(value);
    throw new RangeError(`${what} must be a positive integer, got ${shown}`);
  }
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
 * Check a model config: each of `keys` a positive integer, and `numHeads` dividing `dModel`.
 * Messages start with `"<name> config: "`.
 */
export function requireModelShape<K extends string>(
  name: string,
  config: Record<K | "dModel" | "numHeads", unknown>,
  keys: readonly K[],
): void {
  for (const key of keys) requirePositiveInteger(`${name} config: ${key}`, config[key]);
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
