/**
 * Lesson 6's exercises (`notebooks/06_gpt.ipynb`; solutions in `solutions/06_gpt.ts`): a GPT's
 * parameters counted from its config, a backward rule for the scalar autograd (sigmoid), the
 * gradient of softmax and cross-entropy with respect to the logits, and a Linear layer's backward
 * pass, each checked against the course's own version.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type GPTConfig, resolveGPTConfig } from "../models/gpt.ts";
import { countParameters } from "../models/model_size.ts";
import { REAL_MODELS } from "../models/real_models.ts";
import { crossEntropy } from "../nn/cross_entropy.ts";
import { mobyGPTConfig } from "../recipes/moby_gpt.ts";
import { Random } from "../runtime/random.ts";
import { numericGradient, Value } from "../training/scalar_autograd.ts";
import {
  everyCase,
  type Exercise,
  expectAllClose,
  expectRowsClose,
  labelled,
  uniformMatrix,
} from "./exercise.ts";

/**
 * The parameters of a GPT of GPT-2's design (learned positions, LayerNorm, an MLP, biases in every
 * block and none on the head).
 */
export type GPTParameterCount = (config: GPTConfig) => number;
/** Sigmoid as a node of the scalar autograd: its value and its backward rule. */
export type SigmoidValue = (v: Value) => Value;
/**
 * The gradient of the mean cross-entropy of `targets` (one id a row) with respect to `logits`
 * (one row of scores a position): a matrix the shape of `logits`.
 */
export type CrossEntropyGradient = (logits: number[][], targets: number[]) => number[][];
/** The gradients of `y = x · W + b` for the output's gradient `dy`. */
export interface LinearGradients {
  /** d/dx, the shape of x: `(N, in)`. */
  dx: number[][];
  /** d/dW, the shape of W: `(in, out)`. */
  dWeight: number[][];
  /** d/db, the shape of b: `(out)`. */
  dBias: number[];
}
/** A Linear layer's backward pass: `x` `(N, in)`, `weight` `(in, out)`, `dy` `(N, out)`. */
export type LinearBackward = (x: number[][], weight: number[][], dy: number[][]) => LinearGradients;

/** Whether `config` is of GPT-2's design, the one {@link GPTParameterCount} counts. */
function gpt2Design(config: GPTConfig): boolean {
  const c = resolveGPTConfig(config, { buildHere: false });
  return c.positions === "learned" && c.norm === "layer" && c.feedForward === "mlp" && c.bias &&
    c.numKVHeads === c.numHeads;
}

/** The configs the counting exercise is checked on: tied, untied and default heads. */
const GPT2_MODELS: readonly { name: string; config: GPTConfig }[] = [
  { name: "lesson 7's GPT (its own head)", config: mobyGPTConfig(81) },
  { name: "lesson 7's shape, head tied", config: { ...mobyGPTConfig(81), tieWeights: true } },
  {
    name: "lesson 7's shape, tieWeights left to its default",
    config: { ...mobyGPTConfig(81), tieWeights: undefined },
  },
  {
    name: "a small one with dFF = 3C, ReLU, its own head",
    config: {
      vocabSize: 100,
      contextLength: 32,
      dModel: 48,
      numHeads: 4,
      numLayers: 3,
      dFF: 144,
      activation: "relu",
      tieWeights: false,
    },
  },
  ...REAL_MODELS.filter(({ config }) => gpt2Design(config)),
  {
    name: "GPT-2 small with its own head",
    config: { ...REAL_MODELS[0].config, tieWeights: false },
  },
];

/** `answer(v)`, checked to be a Value. */
function node(answer: SigmoidValue, v: Value): Value {
  const out = answer(v);
  if (!(out instanceof Value)) {
    throw new TypeError(`sigmoid must return a new Value, got ${String(out)}`);
  }
  return out;
}

/** `x` to `digits` decimals (all of them when absent), with a minus sign (−) for a negative one. */
const signed = (x: number, digits?: number) =>
  (digits === undefined ? String(x) : x.toFixed(digits)).replace("-", "−");

/** The logistic function, 1 / (1 + e^−x). */
const logistic = (x: number) => 1 / (1 + Math.exp(-x));

/** The course's gradient of the mean cross-entropy with respect to the logits, by `tf.grad`. */
function crossEntropyGradOf(logits: number[][], targets: number[]): number[][] {
  return tf.tidy(() => {
    const ids = tf.tensor1d(targets, "int32");
    const grad = tf.grad((z: tf.Tensor) => crossEntropy(z, ids))(tf.tensor2d(logits));
    return grad.arraySync() as number[][];
  });
}

/** The gradients of `sum((x · W + b) ⊙ dy)` by `tf.grads`: those of `y = x · W + b` for `dy`. */
function linearGradsOf(x: number[][], weight: number[][], dy: number[][]): LinearGradients {
  return tf.tidy(() => {
    const out = tf.tensor2d(dy);
    const bias = tf.zeros([weight[0].length]);
    const [dx, dWeight, dBias] = tf.grads((xs: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
      xs.matMul(w).add(b).mul(out).sum()
    )([tf.tensor2d(x), tf.tensor2d(weight), bias]);
    return {
      dx: dx.arraySync() as number[][],
      dWeight: dWeight.arraySync() as number[][],
      dBias: dBias.arraySync() as number[],
    };
  });
}

/** Checks of all three gradients of `answer` on one case, against {@link linearGradsOf}. */
function expectLinearGrads(
  answer: LinearBackward,
  x: number[][],
  weight: number[][],
  dy: number[][],
): void {
  const expected = linearGradsOf(x, weight, dy);
  const got = answer(x, weight, dy);
  if (typeof got !== "object" || got === null) {
    throw new TypeError(`expected { dx, dWeight, dBias }, got ${String(got)}`);
  }
  labelled("dWeight", () => expectRowsClose(got.dWeight, expected.dWeight, 1e-5));
  labelled("dBias", () => expectAllClose(got.dBias, expected.dBias, 1e-5));
  labelled("dx", () => expectRowsClose(got.dx, expected.dx, 1e-5));
}

/** Lesson 6's exercises, easiest first. */
export const GPT_EXERCISES: {
  gptParameters: Exercise<GPTParameterCount>;
  sigmoid: Exercise<SigmoidValue>;
  crossEntropyGrad: Exercise<CrossEntropyGradient>;
  linearBackward: Exercise<LinearBackward>;
} = {
  gptParameters: {
    title: "Exercise 1 · a GPT's parameters",
    checks: (answer) =>
      GPT2_MODELS.map(({ name, config }) => ({
        name: `${name}: ${countParameters(config).toLocaleString("en-US")}`,
        hint: "token embedding V·C and positions T·C; per block attention 4·C·C + 4C (W_Q, W_K, " +
          "W_V, W_O and their biases), the MLP 2·C·dFF + dFF + C, two LayerNorms of 2C; then the " +
          "final LayerNorm (2C) and, only when tieWeights is false, a head of C·V; dFF, when " +
          "absent, is 4C, and tieWeights, when absent, is true",
        run: () => {
          const got = answer(config);
          const expected = countParameters(config);
          if (got !== expected) throw new RangeError(`got ${got}, expected ${expected}`);
        },
      })),
  },
  sigmoid: {
    title: "Exercise 2 · a backward rule: sigmoid",
    checks: (answer) => {
      const xs = [0, 2, -3];
      return [
        {
          name: `its value: ${
            xs.map((x) => `σ(${signed(x)}) = ${signed(logistic(x), 4)}`).join(", ")
          }`,
          hint: "σ(x) = 1 / (1 + e^−x), of v.data; return a new Value",
          run: () =>
            expectAllClose(xs.map((x) => node(answer, new Value(x)).data), xs.map(logistic), 1e-12),
        },
        {
          name: "its gradient alone: dσ/dx at 0, 2 and −3, as tf.grad(tf.sigmoid) gives it",
          hint: "dσ/dx = σ(x) · (1 − σ(x)), times out.grad, added to v.grad; list v in parents",
          run: () => {
            const expected = tf.tidy(() =>
              Array.from(tf.grad((t: tf.Tensor) => tf.sigmoid(t))(tf.tensor1d(xs)).dataSync())
            );
            const grads = xs.map((x) => {
              const v = new Value(x);
              node(answer, v).backward();
              return v.grad;
            });
            expectAllClose(grads, expected, 1e-6);
          },
        },
        {
          name: "inside a graph, L = 3 · σ(w·x + b): dL/dw, dL/dx, dL/db by finite differences",
          hint: "the rule multiplies by out.grad (3 here), and v must be among the parents, or " +
            "backward() never reaches w·x + b",
          run: () => {
            const [w, x, b] = [0.7, -1.2, 0.4].map((n) => new Value(n));
            node(answer, w.mul(x).add(b)).mul(3).backward();
            const f = ([w, x, b]: number[]) => 3 * logistic(w * x + b);
            expectAllClose([w.grad, x.grad, b.grad], numericGradient(f, [0.7, -1.2, 0.4]), 1e-7);
          },
        },
        {
          name: "x used twice, L = σ(x) + x · x at x = 0.5: its two shares add up",
          hint: "add to v.grad (+=), do not set it (=): x · x has already put its share there " +
            "when sigmoid's rule runs",
          run: () => {
            const x = new Value(0.5);
            node(answer, x).add(x.mul(x)).backward();
            const f = ([x]: number[]) => logistic(x) + x * x;
            expectAllClose([x.grad], numericGradient(f, [0.5]), 1e-7);
          },
        },
      ];
    },
  },
  crossEntropyGrad: {
    title: "Exercise 3 · the cross-entropy's gradient by hand",
    checks: (answer) => {
      const random = new Random(6);
      const targetsOf = (rows: number, V: number) =>
        Array.from({ length: rows }, () => random.int(V));
      const one = crossEntropyGradOf([[2, 1, 0]], [0])[0];
      const batch = { logits: uniformMatrix(random, 4, 5), targets: targetsOf(4, 5) };
      const sums = { logits: uniformMatrix(random, 3, 6), targets: targetsOf(3, 6) };
      const large = {
        logits: [[1000, 998, 995.5, 1001], [-1000, -1003, -999, -1000.5]],
        targets: [1, 3],
      };
      const cases = Array.from({ length: 20 }, () => {
        const [rows, V] = [1 + random.int(6), 2 + random.int(9)];
        const logits = uniformMatrix(random, rows, V).map((r) => r.map((z) => 3 * z));
        return { logits, targets: targetsOf(rows, V) };
      });
      const hint = "p = softmax of each row (subtract the row's largest score before exp), " +
        "then subtract 1 at the target, then divide everything by the number of rows";
      return [
        {
          name: `one position, logits [2, 1, 0], target 0: [${
            one.map((g) => signed(g, 4)).join(", ")
          }]`,
          hint,
          run: () => expectRowsClose(answer([[2, 1, 0]], [0]), [one], 1e-6),
        },
        {
          name: "each row sums to 0 (so do the probabilities minus the one-hot)",
          hint: "a row of p sums to 1 and the one-hot row sums to 1, so p − one-hot sums to 0",
          run: () => {
            const got = answer(sums.logits, sums.targets);
            const rowSums = sums.logits.map((_, i) => got?.[i]?.reduce((s, g) => s + g, 0));
            labelled(
              "the rows' sums",
              () => expectAllClose(rowSums, sums.logits.map(() => 0), 1e-9),
            );
          },
        },
        {
          name: "4 positions of 5 tokens: the mean's gradient, (p − one-hot) / 4, as tf.grad",
          hint: "the loss is the mean over positions, so each row's gradient is divided by 4",
          run: () =>
            expectRowsClose(
              answer(batch.logits, batch.targets),
              crossEntropyGradOf(batch.logits, batch.targets),
              1e-6,
            ),
        },
        {
          name: "scores near ±1,000: no overflow",
          hint: "e^1000 is Infinity in float64: subtract each row's largest score before exp " +
            "(softmax does not change when every score moves by the same amount)",
          run: () =>
            expectRowsClose(
              answer(large.logits, large.targets),
              crossEntropyGradOf(large.logits, large.targets),
              1e-6,
            ),
        },
        everyCase(
          "20 random cases of 1 to 6 positions and 2 to 10 tokens, as tf.grad",
          hint,
          cases,
          ({ logits }) => `${logits.length} positions of ${logits[0].length} tokens`,
          ({ logits, targets }) =>
            expectRowsClose(answer(logits, targets), crossEntropyGradOf(logits, targets), 1e-6),
        ),
      ];
    },
  },
  linearBackward: {
    title: "Exercise 4 · a Linear layer's backward pass",
    checks: (answer) => {
      const random = new Random(7);
      const example = {
        x: [[1, 2]],
        weight: [[1, 0, -1], [2, 1, 0]],
        dy: [[1, 0, 2]],
      };
      const batch = {
        x: uniformMatrix(random, 4, 3),
        weight: uniformMatrix(random, 3, 5),
        dy: uniformMatrix(random, 4, 5),
      };
      const cases = Array.from({ length: 12 }, () => {
        const [n, inF, outF] = [1 + random.int(6), 1 + random.int(7), 1 + random.int(7)];
        return {
          x: uniformMatrix(random, n, inF),
          weight: uniformMatrix(random, inF, outF),
          dy: uniformMatrix(random, n, outF),
        };
      });
      const dxWay = "dx has the shape of x (N × in): x[n][i] reaches every y[n][j] of its row " +
        "through W[i][j], so by the chain rule dx[n][i] adds up one share from each output j";
      const shapes = "dWeight = xᵀ · dy (in × out, the shape of W) and dBias = the sum of dy's " +
        `rows (out), as section 5 derived; ${dxWay}`;
      return [
        {
          name: "x = [[1, 2]], W = [[1, 0, −1], [2, 1, 0]], dy = [[1, 0, 2]]: dWeight = " +
            "[[1, 0, 2], [2, 0, 4]], dBias = [1, 0, 2], dx = [[−1, 2]]",
          hint: shapes,
          run: () => expectLinearGrads(answer, example.x, example.weight, example.dy),
        },
        {
          name: "a batch of 4 rows, 3 inputs → 5 outputs: dWeight = xᵀ · dy, as tf.grads",
          hint: "dWeight[i][j] = Σ over rows n of x[n][i] · dy[n][j]",
          run: () => {
            const expected = linearGradsOf(batch.x, batch.weight, batch.dy);
            const got = answer(batch.x, batch.weight, batch.dy)?.dWeight;
            labelled("dWeight", () => expectRowsClose(got, expected.dWeight, 1e-5));
          },
        },
        {
          name: "the same batch: dBias = the sum of dy's rows",
          hint: "b is added to every row, so its gradient sums over the rows (not their mean)",
          run: () => {
            const expected = linearGradsOf(batch.x, batch.weight, batch.dy);
            const got = answer(batch.x, batch.weight, batch.dy)?.dBias;
            labelled("dBias", () => expectAllClose(got, expected.dBias, 1e-5));
          },
        },
        {
          name: "the same batch: dx, the shape of x, as tf.grads",
          hint: `${dxWay}: the share is dy[n][j] times the derivative of y[n][j] with respect ` +
            "to x[n][i]",
          run: () => {
            const expected = linearGradsOf(batch.x, batch.weight, batch.dy);
            const got = answer(batch.x, batch.weight, batch.dy)?.dx;
            labelled("dx", () => expectRowsClose(got, expected.dx, 1e-5));
          },
        },
        everyCase(
          "12 random shapes of 1 to 6 rows, 1 to 7 inputs and outputs: all three",
          shapes,
          cases,
          ({ x, weight }) =>
            `${x.length} rows, ${weight.length} inputs → ${weight[0].length} outputs`,
          ({ x, weight, dy }) => expectLinearGrads(answer, x, weight, dy),
        ),
      ];
    },
  },
};
