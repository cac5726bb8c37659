/**
 * Assertions for the tests, on Node's built-in `node:assert` (JSR's `@std/assert` is not
 * reachable from the course's machines; `node:assert` ships with Deno).
 *
 * @module
 */
import nodeAssert from "node:assert/strict";

/** Fails unless `condition` is truthy. */
export function assert(condition: unknown, message?: string): asserts condition {
  nodeAssert.ok(condition, message);
}

/** Fails unless `actual` and `expected` are deeply equal. */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  nodeAssert.deepStrictEqual(actual, expected, message);
}

/** Fails if `actual` and `expected` are deeply equal. */
export function assertNotEquals<T>(actual: T, expected: T, message?: string): void {
  nodeAssert.notDeepStrictEqual(actual, expected, message);
}

/** Fails unless `|actual − expected| ≤ tolerance`. */
export function assertAlmostEquals(
  actual: number,
  expected: number,
  tolerance: number,
  message?: string,
): void {
  nodeAssert.ok(
    Math.abs(actual - expected) <= tolerance,
    message ?? `expected ${actual} to be within ${tolerance} of ${expected}`,
  );
}

/** Fails unless `fn` throws an error whose message matches `pattern`; returns the message. */
export function assertThrows(fn: () => unknown, pattern: RegExp): string {
  try {
    fn();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    nodeAssert.match(message, pattern);
    return message;
  }
  throw new Error(`expected an error matching ${pattern}, but nothing was thrown`);
}
