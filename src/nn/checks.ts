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
