/**
 * Lesson 0's exercises (`notebooks/00_setup.ipynb`; solutions in `solutions/00_setup.ts`): a
 * mean and a standard deviation by hand, the shapes of a matrix product and of a broadcast, and
 * a tensor function that leaves no tensor behind, each checked against TensorFlow.js itself.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Random } from "../runtime/random.ts";
import {
  eachCase,
  type Exercise,
  type ExerciseCheck,
  expectClose,
  uniformRow,
} from "./exercise.ts";

/** The mean and the standard deviation (divided by n) of `values`. */
export type MeanAndStd = (values: number[]) => { mean: number; std: number };
/** The shape of `tf.matMul` of tensors of shapes `a` and `b`, or null where it refuses them. */
export type MatMulShape = (a: number[], b: number[]) => number[] | null;
/** The shape of `a + b` for tensors of shapes `a` and `b`, or null where they do not broadcast. */
export type BroadcastShape = (a: number[], b: number[]) => number[] | null;
/** Each row's length √(Σ x²), as one tensor; leaves only that tensor behind. */
export type RowLengths = (x: tf.Tensor2D) => tf.Tensor1D;

/** A shape as the notebook writes it: "(3, 4)"; a scalar's is "()". */
function shapeText(shape: readonly number[] | null): string {
  return shape === null ? "null" : `(${shape.join(", ")})`;
}

/** A check that `actual` is the shape `expected` (or null); throws saying both otherwise. */
function expectShape(actual: unknown, expected: readonly number[] | null): void {
  const valid = actual === null ||
    (Array.isArray(actual) && actual.every((n) => Number.isInteger(n) && n >= 0));
  if (!valid) throw new TypeError(`expected a shape (an array of sizes) or null, got ${actual}`);
  const got = actual as number[] | null;
  if (JSON.stringify(got) !== JSON.stringify(expected)) {
    throw new RangeError(`got ${shapeText(got)}, expected ${shapeText(expected)}`);
  }
}

/** The shape TensorFlow.js gives `op` on zero tensors of shapes `a` and `b`, or null if it throws. */
function tfShape(
  op: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor,
  a: readonly number[],
  b: readonly number[],
): number[] | null {
  try {
    return tf.tidy(() => op(tf.zeros([...a]), tf.zeros([...b])).shape);
  } catch {
    return null;
  }
}

/** Shape checks: each known case as a check, then `randomCases` in one check, all against tf. */
function shapeChecks(
  answer: (a: number[], b: number[]) => number[] | null,
  op: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor,
  sign: string,
  known: { a: number[]; b: number[]; what: string }[],
  randomCases: [number[], number[]][],
  hint: string,
): ExerciseCheck[] {
  const cases = known.map(({ a, b, what }) => {
    const expected = tfShape(op, a, b);
    return {
      name: `${shapeText(a)} ${sign} ${shapeText(b)}, ${what}: ${shapeText(expected)}`,
      hint,
      run: () => expectShape(answer([...a], [...b]), expected),
    };
  });
  const random = {
    name: `${randomCases.length} random pairs of shapes, as TensorFlow.js gives them`,
    hint,
    run: () => {
      eachCase(
        randomCases,
        ([a, b]) => `${shapeText(a)} ${sign} ${shapeText(b)}`,
        ([a, b]) => expectShape(answer([...a], [...b]), tfShape(op, a, b)),
      );
    },
  };
  return [...cases, random];
}

/** `n` sizes from 1 to `largest`, drawn from `random`. */
function sizes(random: Random, n: number, largest: number): number[] {
  return Array.from({ length: n }, () => 1 + random.int(largest));
}

/**
 * Pairs of shapes for tf.matMul: 2 or 3 axes, inner sizes equal most of the time; batches of 1
 * to 4, equal half the time, else one of them 1 or the two different.
 */
function matMulCases(random: Random, n: number): [number[], number[]][] {
  return Array.from({ length: n }, () => {
    const [m, k, cols, batch] = [...sizes(random, 3, 5), 1 + random.int(4)];
    const inner = random.next() < 0.75 ? k : k + 1;
    const draw = random.next();
    const otherBatch = draw < 0.5 ? batch : draw < 0.8 ? 1 : batch + 1;
    const a = random.next() < 0.5 ? [m, k] : [batch, m, k];
    const b = random.next() < 0.5 ? [inner, cols] : [otherBatch, inner, cols];
    return [a, b];
  });
}

/** Pairs of shapes of 0 to 4 axes that broadcast about half the time. */
function broadcastCases(random: Random, n: number): [number[], number[]][] {
  return Array.from({ length: n }, () => {
    const a = sizes(random, random.int(5), 3);
    const b = sizes(random, random.int(5), 3);
    if (random.next() < 0.5) {
      // make b fit a: from the right, each size of b is a's or 1
      b.forEach((_, i) => {
        const j = a.length - b.length + i;
        if (j >= 0 && b[i] !== 1) b[i] = random.next() < 0.7 ? a[j] : 1;
      });
    }
    return [a, b];
  });
}

/** Section 2's three tokens, "How", "are", "you". */
const SECTION_2_X = [
  [0.8, -1.8, 0.6, -0.5],
  [-1.6, 1.3, -1.9, 0.4],
  [-0.3, 0.7, -1.4, -0.9],
];

/** `answer`'s lengths of `rows`, read and disposed; an error saying what was wrong otherwise. */
function lengthsOf(answer: RowLengths, rows: number[][]): number[] {
  return tf.tidy(() => {
    const out: unknown = answer(tf.tensor2d(rows));
    if (!(out instanceof tf.Tensor)) throw new TypeError(`expected a tensor, got ${out}`);
    if (out.isDisposed) throw new RangeError("the tensor returned is already disposed");
    if (out.shape.length !== 1 || out.shape[0] !== rows.length) {
      throw new RangeError(
        `got a tensor of shape ${shapeText(out.shape)}, expected (${rows.length})`,
      );
    }
    return Array.from(out.dataSync());
  });
}

/** Lesson 0's exercises, easiest first. */
export const SETUP_EXERCISES: {
  meanAndStd: Exercise<MeanAndStd>;
  matMulShape: Exercise<MatMulShape>;
  broadcastShape: Exercise<BroadcastShape>;
  rowLengths: Exercise<RowLengths>;
} = {
  meanAndStd: {
    title: "Exercise 1 · a mean and a standard deviation by hand",
    checks: (answer) => {
      const random = new Random(0);
      const rows: [string, number[]][] = [
        ["2, 4, 4, 4, 5, 5, 7, 9", [2, 4, 4, 4, 5, 5, 7, 9]],
        ["1, 2, 3, 4", [1, 2, 3, 4]],
        ["a single 7", [7]],
        ["16 random numbers", uniformRow(random, 16)],
        ["100 random numbers around 3", uniformRow(random, 100, 1, 3)],
      ];
      return rows.map(([what, values]) => {
        const [mean, variance] = tf.tidy(() => {
          const moments = tf.moments(tf.tensor1d(values));
          return [moments.mean.dataSync()[0], moments.variance.dataSync()[0]];
        });
        const std = Math.sqrt(variance);
        return {
          name: `${what}: mean ${mean.toPrecision(4)}, std ${std.toPrecision(4)} (tf.moments)`,
          hint: "mean = Σx / n; std = √(Σ(x − mean)² / n), divided by n, not n − 1, " +
            "as tf.moments does",
          run: () => {
            const got = answer([...values]);
            expectClose(got?.mean, mean, 1e-5);
            expectClose(got?.std, std, 1e-5);
          },
        };
      });
    },
  },
  matMulShape: {
    title: "Exercise 2 · the shape of a matrix product",
    checks: (answer) =>
      shapeChecks(
        answer,
        (a, b) => tf.matMul(a, b),
        "·",
        [
          { a: [3, 4], b: [4, 2], what: "X · W of section 2" },
          { a: [2, 3, 4], b: [2, 4, 2], what: "a batch, one W per sequence" },
          { a: [2, 3, 4], b: [4, 2], what: "a batch times one matrix" },
          { a: [3, 4], b: [3, 4], what: "inner sizes 4 and 3" },
          { a: [2, 3, 4], b: [3, 4, 2], what: "batches of 2 and 3" },
          { a: [1, 3, 4], b: [2, 4, 2], what: "a batch of 1 against a batch of 2" },
        ],
        matMulCases(new Random(1), 60),
        "(m, k) · (k, n) gives (m, n): the last axis of a must be the next-to-last of b; a " +
          "leading batch axis is kept; where both have one, the two must be equal or one of them " +
          "1, and the result takes the larger",
      ),
  },
  broadcastShape: {
    title: "Exercise 3 · the shape of a broadcast",
    checks: (answer) =>
      shapeChecks(
        answer,
        (a, b) => tf.add(a, b),
        "+",
        [
          { a: [3, 4], b: [4], what: "a bias added to X" },
          { a: [2, 3, 4], b: [3, 4], what: "positions added to a batch" },
          { a: [3, 1], b: [1, 4], what: "a column and a row" },
          { a: [2, 1, 3], b: [4, 1], what: "three axes and two" },
          { a: [], b: [4, 3], what: "a scalar" },
          { a: [2, 3], b: [4, 3], what: "2 rows and 4" },
        ],
        broadcastCases(new Random(2), 60),
        "line the shapes up from the right; a missing axis counts as 1; at each axis the " +
          "sizes must be equal or one of them 1, and the result takes the larger",
      ),
  },
  rowLengths: {
    title: "Exercise 4 · a function that leaves nothing behind",
    checks: (answer) => {
      const random = new Random(3);
      const matrix = Array.from({ length: 20 }, () => uniformRow(random, 8));
      const expected = (rows: number[][]) =>
        tf.tidy(() => Array.from(tf.norm(tf.tensor2d(rows), "euclidean", 1).dataSync()));
      const closeTo = (rows: number[][]) => {
        const want = expected(rows);
        const got = lengthsOf(answer, rows);
        got.forEach((v, i) => {
          if (Math.abs(v - want[i]) > 1e-5 * (1 + want[i])) {
            throw new RangeError(`row ${i}: got ${v}, expected ${want[i].toPrecision(6)}`);
          }
        });
      };
      const valueHint = "a row's length is √(Σ x²): square, sum along axis 1, square root";
      return [
        {
          name: `X of section 2: lengths ${expected(SECTION_2_X).map((v) => v.toFixed(3))}`,
          hint: valueHint,
          run: () => closeTo(SECTION_2_X),
        },
        {
          name: "a random (20, 8) matrix: the lengths tf.norm gives",
          hint: valueHint,
          run: () => closeTo(matrix),
        },
        {
          name: "leaves one new tensor, its result, and its input alive",
          hint: "each operation makes a tensor: wrap the work in tf.tidy(() => ...), which " +
            "keeps only what it returns; and do not dispose the input, it is the caller's",
          run: () =>
            tf.tidy(() => {
              const x = tf.tensor2d(matrix);
              const before = tf.memory().numTensors;
              const out = answer(x);
              const left = tf.memory().numTensors - before;
              if (x.isDisposed) throw new RangeError("the input was disposed");
              if (!(out instanceof tf.Tensor) || out.isDisposed) {
                throw new TypeError(`expected a tensor alive, got ${out}`);
              }
              if (left !== 1) {
                throw new RangeError(`${left} new tensors left alive, expected 1 (the result)`);
              }
            }),
        },
      ];
    },
  },
};
