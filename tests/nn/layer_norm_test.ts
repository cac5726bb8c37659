import * as tf from "@tensorflow/tfjs";
import { assertAlmostEquals } from "../assert.ts";
import { initCourse, LayerNorm } from "../../src/mod.ts";
import { random } from "../fixtures.ts";

await initCourse();

Deno.test("LayerNorm: rows get mean 0 and variance 1, then gain and bias; known values", () => {
  const ln = new LayerNorm(4);
  const [rows, known] = tf.tidy(() => {
    const y = ln.apply(random([3, 7, 4]).mul(5).add(3));
    return [
      y.reshape([-1, 4]).arraySync() as number[][],
      Array.from(ln.apply(tf.tensor1d([1, 2, 3, 4])).dataSync()),
    ];
  });
  for (const row of rows) {
    const mean = row.reduce((a, b) => a + b) / 4;
    assertAlmostEquals(mean, 0, 1e-5);
    assertAlmostEquals(row.reduce((a, b) => a + (b - mean) ** 2, 0) / 4, 1, 1e-3);
  }
  // (x − 2.5) / √1.25: ±1.3416, ±0.4472
  [-1.3416, -0.4472, 0.4472, 1.3416].forEach((v, i) => assertAlmostEquals(known[i], v, 1e-3));
  ln.gain.assign(tf.tensor1d([2, 2, 2, 2]));
  ln.bias.assign(tf.tensor1d([1, 1, 1, 1]));
  const scaled = tf.tidy(() => Array.from(ln.apply(tf.tensor1d([1, 2, 3, 4])).dataSync()));
  assertAlmostEquals(scaled[0], 1 - 2 * 1.3416, 1e-3);
  ln.dispose();
});
