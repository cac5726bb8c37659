import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals } from "../assert.ts";
import { causalMask, initCourse, paddingMask, scaledDotProductAttention } from "../../src/mod.ts";
import { random } from "../fixtures.ts";

await initCourse();

/** The seed's embeddings of "How", "Are", "You" (d_model = 4). */
const HOW_ARE_YOU = [[0.8, -1.8, 0.6, -0.5], [-1.6, 1.3, -1.9, 0.4], [-0.3, 0.7, -1.4, -0.9]];

Deno.test("softmax of [2, 1, 0] is [0.665, 0.245, 0.090]", () => {
  const p = tf.tidy(() => Array.from(tf.softmax(tf.tensor1d([2, 1, 0])).dataSync()));
  assertEquals(p.map((x) => Number(x.toFixed(3))), [0.665, 0.245, 0.09]);
});

Deno.test("attention on How/Are/You with Q = K = V = X matches a plain-loop computation", () => {
  // Reference with loops: scores = X·Xᵀ/√4, softmax by rows, output = weights · X.
  const X = HOW_ARE_YOU;
  const scores = X.map((q) => X.map((k) => q.reduce((s, v, i) => s + v * k[i], 0) / 2));
  assertAlmostEquals(scores[0][0], (0.64 + 3.24 + 0.36 + 0.25) / 2, 1e-12); // 2.245 by hand
  const weights = scores.map((row) => {
    const e = row.map((s) => Math.exp(s - Math.max(...row)));
    return e.map((x) => x / e.reduce((a, b) => a + b, 0));
  });
  const outputs = weights.map((w) =>
    X[0].map((_, c) => w.reduce((s, wk, k) => s + wk * X[k][c], 0))
  );
  const result = tf.tidy(() => {
    const x = tf.tensor2d(X);
    const { output, weights } = scaledDotProductAttention(x, x, x);
    return { output: output.arraySync() as number[][], weights: weights.arraySync() as number[][] };
  });
  result.weights.forEach((row, i) =>
    row.forEach((w, j) => assertAlmostEquals(w, weights[i][j], 1e-6))
  );
  result.output.forEach((row, i) =>
    row.forEach((o, c) => assertAlmostEquals(o, outputs[i][c], 1e-5))
  );
});

Deno.test("attention weights: rows sum to 1, masked positions exactly 0", () => {
  const before = tf.memory().numTensors;
  const [sums, upper] = tf.tidy(() => {
    const q = random([2, 5, 4]), k = random([2, 5, 4]), v = random([2, 5, 3]);
    const { weights } = scaledDotProductAttention(q, k, v, causalMask(5));
    const w = weights.arraySync() as number[][][];
    return [
      w.flat().map((row) => row.reduce((a, b) => a + b, 0)),
      w.flatMap((m) => m.flatMap((row, i) => row.slice(i + 1))),
    ];
  });
  sums.forEach((s) => assertAlmostEquals(s, 1, 1e-5));
  assertEquals(upper.length, 2 * 10);
  assert(upper.every((w) => w === 0), `weights above the diagonal: ${upper}`);
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("mask helpers: known values, and no tensors left behind", () => {
  const before = tf.memory().numTensors;
  const causal = causalMask(3);
  const padding = paddingMask([[4, 2, 0], [0, 0, 0]], 0);
  assertEquals(causal.arraySync(), [[1, 0, 0], [1, 1, 0], [1, 1, 1]]);
  assertEquals(padding.arraySync(), [[[1, 1, 0]], [[0, 0, 0]]]);
  tf.dispose([causal, padding]);
  assertEquals(tf.memory().numTensors, before);
});
