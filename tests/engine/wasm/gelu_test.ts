import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals } from "../../assert.ts";
import { gradCheck } from "../../gradcheck.ts";
import { gelu, geluFormula, initCourse } from "../../../src/mod.ts";

await initCourse();

/** erf in float64: its Taylor series up to 2.5, the continued fraction of erfc beyond. */
function erf64(z: number): number {
  const a = Math.abs(z);
  if (a <= 2.5) {
    let [term, sum] = [a, a];
    for (let n = 1; Math.abs(term) > 1e-17 * sum; n++) {
      term *= (-a * a) / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(z) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  let fraction = 0;
  for (let k = 60; k >= 1; k--) fraction = k / 2 / (a + fraction);
  return Math.sign(z) * (1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / (a + fraction));
}

/** Φ(x), the standard normal distribution function, in float64. */
const phi64 = (x: number) => 0.5 * (1 + erf64(x / Math.SQRT2));

Deno.test("erf64, the tests' reference, matches tabulated values", () => {
  // erf(0.5), erf(1), erf(2), erf(3) to 15 digits (Abramowitz and Stegun, table 7.1).
  const table = [[0.5, 0.520499877813047], [1, 0.842700792949715], [2, 0.995322265018953], [
    3,
    0.999977909503001,
  ]];
  for (const [z, value] of table) assertAlmostEquals(erf64(z), value, 2e-15);
  assertAlmostEquals(erf64(-1), -0.842700792949715, 2e-15);
  assertAlmostEquals(phi64(-5), 2.866515718791939e-7, 1e-15); // absolute: 1 + erf cancels
});

Deno.test("GELU on wasm: one kernel for GELU and GELU', both within float32 reach of float64", async () => {
  await initCourse();
  const before = tf.memory().numTensors;
  const xs = [
    ...Array.from({ length: 2401 }, (_, i) => -12 + i / 100),
    ...[0, 1e-30, -1e-30, 1e-6, -1e-6, 20, -20, 100, -100, 3.4e38, -3.4e38],
  ];
  const x = tf.tensor1d(xs);
  const profile = await tf.profile(() =>
    tf.tidy(() => [gelu(x), tf.grad((t: tf.Tensor) => gelu(t))(x, tf.onesLike(x))])
  );
  const [y, dx] = (profile.result as tf.Tensor[]).map((t) => t.dataSync());
  tf.dispose([x, ...(profile.result as tf.Tensor[])]);
  const names = new Set(profile.kernelNames);
  assert(names.has("CourseGelu"), `kernels: ${[...names]}`);
  assert(!names.has("Erf"), "the formula ran instead of the kernel");
  // Φ by the formula of Abramowitz and Stegun is within 7.5e-8 of Φ; y = x·Φ adds a float32
  // rounding of y, and the exponential's polynomial a relative 1e-7 of the erfc term.
  let worstY = 0;
  let worstDx = 0;
  xs.forEach((x, i) => {
    const p = phi64(x);
    const density = Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
    const scale = 1 + Math.abs(x);
    worstY = Math.max(worstY, Math.abs(y[i] - x * p) / scale);
    worstDx = Math.max(worstDx, Math.abs(dx[i] - (p + x * density)) / scale);
  });
  assert(worstY < 2e-7, `GELU off by ${worstY} (relative to 1 + |x|)`);
  assert(worstDx < 2e-7, `GELU' off by ${worstDx} (relative to 1 + |x|)`);
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("gelu: the kernels agree with the formula at every size and shape; finite differences agree", async () => {
  await initCourse();
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const valueAndGrad = (f: (t: tf.Tensor) => tf.Tensor, x: tf.Tensor) => {
      const up = tf.sin(tf.range(0, x.size).reshape(x.shape)); // a varied upstream gradient
      return [f(x), tf.grad((t: tf.Tensor) => f(t))(x, up)].map((t) => Array.from(t.dataSync()));
    };
    // Sizes below 4 go through a padded copy, others end with an overlapping last vector.
    for (const shape of [[0], [1], [2], [3], [4], [5], [7], [8], [9], [2, 3, 5], [3, 1, 4, 1]]) {
      const size = shape.reduce((a, b) => a * b, 1);
      const x = tf.tensor(Array.from({ length: size }, (_, i) => 3 * Math.cos(7 * i)), shape);
      const [ours, formula] = [valueAndGrad(gelu, x), valueAndGrad(geluFormula, x)];
      assertEquals(gelu(x).shape, shape);
      for (let k = 0; k < 2; k++) {
        ours[k].forEach((v, i) => assertAlmostEquals(v, formula[k][i], 1e-6, `${shape} ${k} ${i}`));
      }
    }
    const nan = gelu(tf.tensor1d([NaN, 1, -1])).dataSync();
    assert(Number.isNaN(nan[0]) && !Number.isNaN(nan[1]) && !Number.isNaN(nan[2]), `${nan}`);
    const x = tf.tensor2d([[-2.5, -1, -0.3, 0.1], [0.7, 1.2, 2, 3.1]]);
    const r = tf.tensor2d([[0.3, -1.2, 0.8, 2], [-0.5, 1, 0.4, -2]]);
    const { worst } = gradCheck((t) => gelu(t).mul(r).sum(), x);
    assert(worst < 2e-3, `gelu: gradient check off by ${worst}`);
  });
  // Elsewhere gelu is the formula itself.
  tf.setBackend("cpu");
  try {
    tf.tidy(() => {
      const x = tf.tensor1d([-2, -0.5, 0, 0.5, 2]);
      assertEquals(Array.from(gelu(x).dataSync()), Array.from(geluFormula(x).dataSync()));
    });
  } finally {
    tf.setBackend("wasm");
  }
  assertEquals(tf.memory().numTensors, before);
});
