/**
 * Deterministic train/validation/test splits. No randomness: the same data always splits the
 * same way, on every machine.
 *
 * @module
 */

/** A split of a sequence into two disjoint parts. */
export interface Split<T> {
  /** The part to learn from. */
  train: T;
  /** The held-out part. */
  heldOut: T;
}

/**
 * Split a text at a fraction of its characters: the first `fraction` train, the rest held out.
 * Characters are Unicode code points and the cut is at `floor(fraction × count)`, as Python's
 * `int(0.9 * len(text))` does, so the split matches a Python reference character for character.
 */
export function splitText(text: string, fraction: number): Split<string> {
  if (!(fraction > 0 && fraction < 1)) {
    throw new RangeError(`fraction must be between 0 and 1 (exclusive), got ${fraction}`);
  }
  const codePoints = Array.from(text);
  const cut = Math.floor(fraction * codePoints.length);
  return { train: codePoints.slice(0, cut).join(""), heldOut: codePoints.slice(cut).join("") };
}

/** Hold out every `n`-th item (indices 0, n, 2n, …); the others train. */
export function holdOutEveryNth<T>(items: readonly T[], n: number): Split<T[]> {
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`n must be an integer ≥ 2, got ${n}`);
  return {
    train: items.filter((_, i) => i % n !== 0),
    heldOut: items.filter((_, i) => i % n === 0),
  };
}
