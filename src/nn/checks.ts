/**
 * Argument checks shared by layers and models, with messages that say what was expected.
 *
 * @module
 */

/** Throw `"<what> must be a positive integer, got <value>"` unless `value` is one. */
export function requirePositiveInteger(what: string, value: unknown): asserts value is number {
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
    const shown = typeof value === "number" ? String(value) : JSON.stringify(value);
    throw new RangeError(`${what} must be a positive integer, got ${shown}`);
  }
}
