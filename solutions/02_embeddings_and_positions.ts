/**
 * Solutions to lesson 2's exercises (`src/exercises/embeddings_and_positions.ts` checks them; the
 * test suite proves every check passes here and reports "not done" on the notebook's stubs).
 *
 * @module
 */
import type {
  EmbeddingGradient,
  PositionSimilarity,
  SinusoidalByHand,
  SinusoidalShiftByHand,
} from "../src/mod.ts";

/** Exercise 1: one-hot(ids)ᵀ · dOut; a row used twice collects both rows of dOut. */
export const embeddingGradient: EmbeddingGradient = (vocabSize, ids, dOut) => {
  const gradient = Array.from({ length: vocabSize }, () => Array(dOut[0].length).fill(0));
  ids.forEach((id, t) => dOut[t].forEach((d, c) => gradient[id][c] += d));
  return gradient;
};

/** Exercise 2: ω_i = base^(−2i/C) with C itself; an odd C ends on a sine. */
export const sinusoidalByHand: SinusoidalByHand = (length, dim, base) =>
  Array.from({ length }, (_, pos) =>
    Array.from({ length: dim }, (_, c) => {
      const i = Math.floor(c / 2);
      const angle = pos * Math.pow(base, (-2 * i) / dim);
      return c % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }));

/** Exercise 3: a 2 × 2 rotation by k·ω_i on each pair (sin, cos), zeros elsewhere. */
export const sinusoidalShiftByHand: SinusoidalShiftByHand = (k, dim, base) => {
  const m = Array.from({ length: dim }, () => Array(dim).fill(0));
  for (let i = 0; i < dim / 2; i++) {
    const angle = k * Math.pow(base, (-2 * i) / dim);
    const [r, c, s] = [2 * i, Math.cos(angle), Math.sin(angle)];
    m[r][r] = c; // sin(a + b) = sin a · cos b + cos a · sin b
    m[r][r + 1] = s;
    m[r + 1][r] = -s; // cos(a + b) = cos a · cos b − sin a · sin b
    m[r + 1][r + 1] = c;
  }
  return m;
};

/** Exercise 4: the mean over the pairs of cos(k·ω_i); PE(p) · PE(p + k) over |PE|² = C/2. */
export const positionSimilarity: PositionSimilarity = (k, dim, base) => {
  let sum = 0;
  for (let i = 0; i < dim / 2; i++) sum += Math.cos(k * Math.pow(base, (-2 * i) / dim));
  return sum / (dim / 2);
};
