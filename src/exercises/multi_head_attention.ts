/**
 * Lesson 4's exercises (`notebooks/04_multi_head_attention.ipynb`; solutions in
 * `solutions/04_multi_head_attention.ts`): an attention layer's parameters, cross-attention's
 * shapes, splitting a matrix into heads, and multi-head attention by a loop over heads, each
 * checked against the course's `MultiHeadAttention`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { causalMask, scaledDotProductAttention } from "../nn/attention.ts";
import { MultiHeadAttention } from "../nn/multi_head_attention.ts";
import { Random } from "../runtime/random.ts";
import {
  drawExerciseWeights,
  type Exercise,
  expectAllClose,
  expectClose,
  expectEqual,
} from "./exercise.ts";

/** The parameters of a multi-head attention layer of `dModel` and `numHeads`, with or without biases. */
export type MHAParameters = (dModel: number, numHeads: number, bias: boolean) => number;
/** The shapes of a multi-head attention's output and weights. */
export interface MHAShapes {
  /** The output's shape. */
  output: number[];
  /** The attention weights' shape. */
  weights: number[];
}
/** The shapes cross-attention gives, from the batch, the two lengths, `dModel` and `numHeads`. */
export type MHACrossShapes = (
  batch: number,
  targetLength: number,
  sourceLength: number,
  dModel: number,
  numHeads: number,
) => MHAShapes;
/** One sequence `(T, C)` cut into `numHeads` heads, `(H, T, C / H)`, on plain arrays. */
export type MHASplitHeads = (x: number[][], numHeads: number) => number[][][];
/**
 * `layer`'s output for one sequence by a loop over heads: queries from `x` `(Tq, C)`, keys and
 * values from `context` `(Tk, C)`, an optional mask `(Tq, Tk)`; returns `(Tq, C)`.
 */
export type MHAByLoop = (
  layer: MultiHeadAttention,
  x: tf.Tensor2D,
  context: tf.Tensor2D,
  mask?: tf.Tensor2D,
) => tf.Tensor2D;

/** Numbers from `random`, `(rows, columns)`, each N(0, 1). */
function matrix(random: Random, rows: number, columns: number): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: columns }, () => random.normal()));
}

/** A layer of `dModel` and `numHeads` with weights and biases drawn from `random`. */
function drawnLayer(random: Random, dModel: number, numHeads: number): MultiHeadAttention {
  const layer = new MultiHeadAttention(dModel, numHeads);
  drawExerciseWeights(layer, random, 0.5, 0.3);
  return layer;
}

/** Lesson 4's exercises, easiest first. */
export const MULTI_HEAD_ATTENTION_EXERCISES: {
  parameters: Exercise<MHAParameters>;
  crossShapes: Exercise<MHACrossShapes>;
  splitHeads: Exercise<MHASplitHeads>;
  byLoop: Exercise<MHAByLoop>;
} = {
  parameters: {
    title: "Exercise 1 · an attention layer's parameters",
    checks: (answer) =>
      ([[16, 4, true], [16, 4, false], [64, 8, true], [12, 3, false], [768, 12, true]] as const)
        .map(([dModel, heads, bias]) => {
          const layer = new MultiHeadAttention(dModel, heads, { bias });
          const count = layer.parameterCount();
          layer.dispose();
          return {
            name: `C = ${dModel}, ${heads} heads, ${bias ? "with" : "without"} biases: ${
              count.toLocaleString("en-US")
            }`,
            hint: "four matrices W_Q, W_K, W_V, W_O of C × C, however many heads (the heads " +
              "share them, a slice each), and with biases one bias of C numbers per matrix",
            run: () => expectClose(answer(dModel, heads, bias), count),
          };
        }),
  },
  crossShapes: {
    title: "Exercise 2 · cross-attention's shapes",
    checks: (answer) =>
      [[1, 5, 4, 16, 4], [2, 3, 7, 8, 2], [3, 1, 6, 12, 3], [2, 6, 6, 16, 8]].map((
        [batch, tq, tk, dModel, heads],
      ) => {
        const shapes =
          `${batch} × ${tq} target tokens, ${batch} × ${tk} source tokens, C = ${dModel}, ${heads} heads`;
        return {
          name: `${shapes}: the shapes MultiHeadAttention.apply gives`,
          hint: "the output has one vector of C numbers per target token (per query); the " +
            "weights have one row per query and one column per key, for every head of every " +
            "sequence: (B, H, T_target, T_source)",
          run: () => {
            const got = answer(batch, tq, tk, dModel, heads);
            const layer = new MultiHeadAttention(dModel, heads);
            try {
              const expected = tf.tidy(() => {
                const { output, weights } = layer.apply(
                  tf.zeros([batch, tq, dModel]) as tf.Tensor3D,
                  tf.zeros([batch, tk, dModel]) as tf.Tensor3D,
                );
                return { output: output.shape, weights: weights.shape };
              });
              expectEqual(got?.output, expected.output, "output");
              expectEqual(got?.weights, expected.weights, "weights");
            } finally {
              layer.dispose();
            }
          },
        };
      }),
  },
  splitHeads: {
    title: "Exercise 3 · split a matrix into heads",
    checks: (answer) => {
      const counting = [[0, 1, 2, 3, 4, 5, 6, 7], [8, 9, 10, 11, 12, 13, 14, 15]];
      const worked = {
        name: "[[0 … 7], [8 … 15]] into 2 heads: [[[0, 1, 2, 3], [8, 9, 10, 11]], " +
          "[[4, 5, 6, 7], [12, 13, 14, 15]]]",
        hint: "head h takes the columns h · d_head … (h + 1) · d_head − 1 of every row, with " +
          "d_head = C / H: a block of neighbouring columns, not every H-th column",
        run: () => {
          const got = answer(counting.map((row) => [...row]), 2);
          const expected = [[[0, 1, 2, 3], [8, 9, 10, 11]], [[4, 5, 6, 7], [12, 13, 14, 15]]];
          expectEqual(shapeOf(got), [2, 2, 4], "heads, rows, columns");
          expectAllClose(got.flat(2), expected.flat(2), 0);
        },
      };
      const random = new Random(4);
      const againstLayer = [[5, 8, 2], [7, 16, 4], [3, 6, 1], [4, 6, 6]].map(([T, C, H]) => {
        const seed = random.int(2 ** 31);
        return {
          name: `T = ${T}, C = ${C}, ${H} head${H === 1 ? "" : "s"}: shape (${H}, ${T}, ${
            C / H
          }), and each head's attention on your split queries and keys is the layer's`,
          hint: "return an array of H heads, each of T rows (one per token) of d_head numbers; " +
            "head h of row t is x[t].slice(h · d_head, (h + 1) · d_head)",
          run: () => splitMatchesLayer(answer, new Random(seed), T, C, H),
        };
      });
      return [worked, ...againstLayer];
    },
  },
  byLoop: {
    title: "Exercise 4 · multi-head attention by a loop over heads",
    checks: (answer) => {
      const random = new Random(44);
      const cases = [
        { what: "self-attention", tq: 6, tk: 6, dModel: 16, heads: 4, causal: false },
        {
          what: "self-attention with a causal mask",
          tq: 6,
          tk: 6,
          dModel: 16,
          heads: 4,
          causal: true,
        },
        { what: "cross-attention", tq: 5, tk: 3, dModel: 12, heads: 3, causal: false },
        { what: "one head, causal", tq: 4, tk: 4, dModel: 8, heads: 1, causal: true },
        {
          what: "cross-attention, 8 heads of 2 numbers",
          tq: 5,
          tk: 7,
          dModel: 16,
          heads: 8,
          causal: false,
        },
      ];
      return cases.map(({ what, tq, tk, dModel, heads, causal }) => {
        const seed = random.int(2 ** 31);
        const self = what.startsWith("self");
        return {
          name: `${what}: ${tq} queries, ${tk} keys, C = ${dModel}, ${heads} head${
            heads === 1 ? "" : "s"
          }: the output of MultiHeadAttention.apply`,
          hint: "for each head h: slice columns h · d_head … of W_Q, W_K, W_V and of their " +
            "biases, project (queries from x, keys and values from context), run " +
            "scaledDotProductAttention with the mask; then tf.concat the heads along the last " +
            "axis and apply layer.output (W_O and its bias)",
          run: () => {
            const r = new Random(seed);
            const layer = drawnLayer(r, dModel, heads);
            try {
              tf.tidy(() => {
                const x = tf.tensor2d(matrix(r, tq, dModel));
                const context = self ? x : tf.tensor2d(matrix(r, tk, dModel));
                const mask = causal ? causalMask(tq) : undefined;
                const expected = layer.apply(
                  x.expandDims(0) as tf.Tensor3D,
                  context.expandDims(0) as tf.Tensor3D,
                  mask,
                ).output.reshape([tq, dModel]);
                const got = answer(layer, x, context, mask);
                if (!(got instanceof tf.Tensor)) {
                  throw new TypeError(`expected a tensor, got ${got}`);
                }
                expectEqual(got.shape, [tq, dModel], "output");
                expectAllClose(Array.from(got.dataSync()), Array.from(expected.dataSync()), 1e-4);
              });
            } finally {
              layer.dispose();
            }
          },
        };
      });
    },
  },
};

/** The sizes along each axis of a nested array, as far as its first elements go. */
function shapeOf(value: unknown): number[] {
  const shape: number[] = [];
  for (let v = value; Array.isArray(v); v = v[0]) shape.push(v.length);
  return shape;
}

/**
 * Split a drawn layer's queries and keys for a sequence of `T` with `answer`; each head's
 * attention weights must be the layer's own.
 */
function splitMatchesLayer(
  answer: MHASplitHeads,
  random: Random,
  T: number,
  C: number,
  H: number,
): void {
  const layer = drawnLayer(random, C, H);
  try {
    tf.tidy(() => {
      const x = tf.tensor2d(matrix(random, T, C));
      const expected = layer.apply(x.expandDims(0) as tf.Tensor3D).weights.reshape([H, T, T]);
      const q = answer(layer.query.apply(x).arraySync() as number[][], H);
      const k = answer(layer.key.apply(x).arraySync() as number[][], H);
      expectEqual(shapeOf(q), [H, T, C / H], "heads, rows, columns");
      expectEqual(shapeOf(k), [H, T, C / H], "heads, rows, columns");
      const weights = q.map((qh, h) => {
        const kh = tf.tensor2d(k[h]);
        return scaledDotProductAttention(tf.tensor2d(qh), kh, kh).weights;
      });
      expectAllClose(
        Array.from(tf.stack(weights).dataSync()),
        Array.from(expected.dataSync()),
        1e-5,
      );
    });
  } finally {
    layer.dispose();
  }
}
