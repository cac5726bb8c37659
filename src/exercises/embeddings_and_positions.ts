/**
 * Lesson 2's exercises (`notebooks/02_embeddings_and_positions.ipynb`; solutions in
 * `solutions/02_embeddings_and_positions.ts`): the gradient an embedding table gets, sinusoidal
 * encodings of any width (an odd one too), the matrix that shifts them by k positions, and the
 * similarity of two positions k apart, each checked against the course's own version.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { sinusoidalEncoding, sinusoidalShift } from "../nn/positional.ts";
import { Random } from "../runtime/random.ts";
import { type Exercise, expectClose, expectRowsClose, uniformMatrix } from "./exercise.ts";

/** The gradient of a `(V, C)` table whose rows `ids` were looked up, given the rows' gradient. */
export type EmbeddingGradient = (vocabSize: number, ids: number[], dOut: number[][]) => number[][];
/** The sinusoidal encoding of positions `0 … length − 1` in `dim` dimensions, odd or even. */
export type SinusoidalByHand = (length: number, dim: number, base: number) => number[][];
/** The `(dim, dim)` matrix `M_k` with `PE(pos + k) = M_k · PE(pos)` for every position. */
export type SinusoidalShiftByHand = (k: number, dim: number, base: number) => number[][];
/** The cosine similarity of `PE(p)` and `PE(p + k)`, the same for every position `p`. */
export type PositionSimilarity = (k: number, dim: number, base: number) => number;

/**
 * The table's gradient as the course computes it: `tf.grad` of the lookup (`tf.gather`, which
 * `Embedding.apply` runs) weighted by `dOut`.
 */
function lookupGradient(vocabSize: number, ids: number[], dOut: number[][]): number[][] {
  return tf.tidy(() => {
    const lookup = (table: tf.Tensor) =>
      tf.gather(table, tf.tensor1d(ids, "int32")).mul(tf.tensor2d(dOut)).sum();
    return tf.grad(lookup)(tf.zeros([vocabSize, dOut[0].length])).arraySync() as number[][];
  });
}

/**
 * The encoding of any width `dim`: ω_i = base^(−2i/dim), sin in column 2i and cos in column
 * 2i + 1 where there is one. These are the first `dim` columns of the course's encoding of
 * width 2·dim and base base², whose ω_i = (base²)^(−2i/(2·dim)) are the same.
 */
function anyWidthEncoding(length: number, dim: number, base: number): number[][] {
  return tf.tidy(() =>
    sinusoidalEncoding(length, 2 * dim, base * base).slice([0, 0], [length, dim])
      .arraySync() as number[][]
  );
}

/** A tensor's rows as arrays, the tensor disposed. */
function rowsOf(tensor: tf.Tensor2D): number[][] {
  const rows = tensor.arraySync();
  tensor.dispose();
  return rows;
}

/** The cosine similarity of rows p and q of `rows`. */
function cosine(rows: number[][], p: number, q: number): number {
  const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0);
  return dot(rows[p], rows[q]) / Math.sqrt(dot(rows[p], rows[p]) * dot(rows[q], rows[q]));
}

/** Lesson 2's exercises, easiest first. */
export const EMBEDDINGS_AND_POSITIONS_EXERCISES: {
  embeddingGradient: Exercise<EmbeddingGradient>;
  sinusoidal: Exercise<SinusoidalByHand>;
  shift: Exercise<SinusoidalShiftByHand>;
  similarity: Exercise<PositionSimilarity>;
} = {
  embeddingGradient: {
    title: "Exercise 1 · the rows that get a gradient",
    checks: (answer) => {
      const random = new Random(2);
      const ones = Array.from({ length: 3 }, () => Array(8).fill(1));
      const cases: { name: string; vocabSize: number; ids: number[]; dOut: number[][] }[] = [
        {
          name: '"the cat sleeps" (ids 1, 3, 4 of 14), dOut all ones',
          vocabSize: 14,
          ids: [1, 3, 4],
          dOut: ones,
        },
        {
          name: "ids [1, 2, 1, 5, 1] of 6, so row 1 collects three rows of dOut",
          vocabSize: 6,
          ids: [1, 2, 1, 5, 1],
          dOut: uniformMatrix(random, 5, 4),
        },
        {
          name: "30 ids among the first 10 of 20, C = 6, so rows 10 to 19 stay zero",
          vocabSize: 20,
          ids: Array.from({ length: 30 }, () => random.int(10)),
          dOut: uniformMatrix(random, 30, 6),
        },
      ];
      return cases.map(({ name, vocabSize, ids, dOut }) => ({
        name: `${name}: as tf.grad of the lookup gives it`,
        hint: "the lookup is one-hot(ids) · E, so the gradient is one-hot(ids)ᵀ · dOut: " +
          "a (V, C) table of zeros, with row ids[t] += dOut[t] for every t",
        run: () =>
          expectRowsClose(answer(vocabSize, ids, dOut), lookupGradient(vocabSize, ids, dOut), 1e-6),
      }));
    },
  },
  sinusoidal: {
    title: "Exercise 2 · sinusoidal encodings of any width",
    checks: (answer) => {
      const even = [[64, 64, 10000], [10, 8, 100]].map(([length, dim, base]) => ({
        name: `${length} positions × C = ${dim}, base ${base}: sinusoidalEncoding's`,
        hint: "column 2i holds sin(pos·ω_i), column 2i + 1 holds cos(pos·ω_i), ω_i = base^(−2i/C)",
        run: () =>
          expectRowsClose(
            answer(length, dim, base),
            rowsOf(sinusoidalEncoding(length, dim, base)),
            1e-5,
          ),
      }));
      const odd = [[10, 7, 10000], [64, 63, 10000], [5, 1, 10000], [12, 5, 100]].map((
        [length, dim, base],
      ) => ({
        name: `${length} positions × C = ${dim} (odd), base ${base}: the last column a lone sine`,
        hint: "keep ω_i = base^(−2i/C) with the odd C itself, for i = 0 … ⌈C/2⌉ − 1; " +
          "the last i has a sine column and no cosine",
        run: () =>
          expectRowsClose(answer(length, dim, base), anyWidthEncoding(length, dim, base), 1e-5),
      }));
      return [...even, ...odd];
    },
  },
  shift: {
    title: "Exercise 3 · the matrix that moves k positions",
    checks: (answer) => {
      const cases = [[3, 8, 10000], [10, 64, 10000], [-4, 6, 100], [0, 4, 10000]];
      const asSrc = cases.map(([k, dim, base]) => ({
        name: `k = ${k}, C = ${dim}, base ${base}: sinusoidalShift's`,
        hint: "block-diagonal: for each pair (sin, cos) of ω_i the 2 × 2 block " +
          "[[cos kω_i, sin kω_i], [−sin kω_i, cos kω_i]] on rows and columns 2i, 2i + 1",
        run: () =>
          expectRowsClose(answer(k, dim, base), rowsOf(sinusoidalShift(k, dim, base)), 1e-5),
      }));
      const moves = [[5, 16, 10000], [-7, 10, 100]].map(([k, dim, base]) => ({
        name: `k = ${k}, C = ${dim}, base ${base}: M_k · PE(pos) = PE(pos + k) for pos = 7 … 40`,
        hint:
          "sin(a + b) = sin a cos b + cos a sin b and cos(a + b) = cos a cos b − sin a sin b, " +
          "with a = pos·ω_i and b = k·ω_i; M_k multiplies PE(pos) as a column",
        run: () => {
          const m = answer(k, dim, base);
          const square = Array.isArray(m) && m.length === dim &&
            m.every((row) => Array.isArray(row) && row.length === dim);
          if (!square) {
            const got = Array.isArray(m) ? `${m.length} rows` : String(m);
            throw new RangeError(`expected ${dim} rows of ${dim} numbers each, got ${got}`);
          }
          const pe = rowsOf(sinusoidalEncoding(48, dim, base));
          const moved = pe.slice(7, 41).map((row) =>
            m.map((mRow) => mRow.reduce((s, v, c) => s + v * row[c], 0))
          );
          expectRowsClose(moved, pe.slice(7 + k, 41 + k), 1e-5);
        },
      }));
      return [...asSrc, ...moves];
    },
  },
  similarity: {
    title: "Exercise 4 · how alike two positions k apart are",
    checks: (answer) =>
      [[0, 64, 10000], [1, 64, 10000], [3, 64, 10000], [40, 64, 10000], [5, 8, 100], [
        -9,
        16,
        10000,
      ]]
        .map(([k, dim, base]) => {
          const pe = rowsOf(sinusoidalEncoding(120, dim, base));
          const at = [10, 37, 70].map((p) => cosine(pe, p, p + k));
          return {
            name: `k = ${k}, C = ${dim}, base ${base}: ${at[0].toFixed(4)}, the cosine of PE(p) ` +
              "and PE(p + k) at p = 10, 37 and 70",
            hint:
              "each pair gives sin(a)sin(b) + cos(a)cos(b) = cos(a − b) = cos(k·ω_i), and every " +
              "PE(p) has length √(C/2): the cosine is the mean of cos(k·ω_i) over the C/2 pairs",
            run: () => at.forEach((expected) => expectClose(answer(k, dim, base), expected, 1e-5)),
          };
        }),
  },
};
