/**
 * Edit distance and the error rates built on it, for comparing predicted sequences with the
 * right ones (phonemes of a word, tokens of a translation).
 *
 * The edit (Levenshtein) distance between two sequences is the fewest insertions, deletions and
 * substitutions that turn one into the other: "K AE T" → "K AA T S" takes 2.
 *
 * @module
 */

/** Levenshtein distance between two sequences (of strings, numbers, anything compared with ===). */
export function editDistance<T>(a: readonly T[], b: readonly T[]): number {
  // One row of the dynamic-programming table at a time: row[j] = distance(a[0..i), b[0..j)).
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(
        row[j] + 1, // delete a[i-1]
        next[j - 1] + 1, // insert b[j-1]
        row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1), // substitute (or keep)
      );
    }
    row = next;
  }
  return row[b.length];
}

/** Error rates over a set of predictions. */
export interface ErrorRates {
  /** Total edit distance / total reference length (phoneme error rate, for G2P). */
  tokenErrorRate: number;
  /** Share of sequences with any error (word error rate, for G2P). */
  sequenceErrorRate: number;
}

/** Error rates of `predicted` against `reference`, pair by pair. */
export function errorRates<T>(
  predicted: readonly (readonly T[])[],
  reference: readonly (readonly T[])[],
): ErrorRates {
  if (predicted.length !== reference.length) {
    throw new RangeError(`${predicted.length} predictions for ${reference.length} references`);
  }
  let edits = 0;
  let length = 0;
  let wrong = 0;
  predicted.forEach((p, i) => {
    const d = editDistance(p, reference[i]);
    edits += d;
    length += reference[i].length;
    if (d > 0) wrong += 1;
  });
  return {
    tokenErrorRate: edits / Math.max(1, length),
    sequenceErrorRate: wrong / Math.max(1, predicted.length),
  };
}
