import * as tf from "@tensorflow/tfjs";
import { assertAlmostEquals } from "../assert.ts";
import { AdamW, initCourse } from "../../src/mod.ts";

await initCourse();

Deno.test("AdamW: one step by the formula; weight decay only on matrices", () => {
  const matrix = tf.variable(tf.tensor2d([[1, -2]]));
  const vector = tf.variable(tf.tensor1d([1, -2]));
  const optimizer = new AdamW(new Map<string, tf.Variable>([["m", matrix], ["v", vector]]), {
    weightDecay: 0.5,
  });
  tf.tidy(() =>
    optimizer.apply({ m: tf.tensor2d([[0.1, 0.3]]), v: tf.tensor1d([0.1, 0.3]) }, 0.01)
  );
  // Step 1: m̂ = g, v̂ = g², so the Adam part is g/(|g| + ε) ≈ sign(g) = ±1.
  const m = matrix.dataSync(), v = vector.dataSync();
  assertAlmostEquals(m[0], 1 - 0.01 * (1 + 0.5 * 1), 1e-6);
  assertAlmostEquals(m[1], -2 - 0.01 * (1 + 0.5 * -2), 1e-6);
  assertAlmostEquals(v[0], 1 - 0.01, 1e-6);
  assertAlmostEquals(v[1], -2 - 0.01, 1e-6);
  optimizer.dispose();
  tf.dispose([matrix, vector]);
});

Deno.test("AdamW: four steps, with a gradient scale, follow the formula computed in float64", () => {
  const start = { w: [0.5, -1, 2, 0.25, -0.75, 1.5], b: [0.1, -0.2, 0.3] };
  const w = tf.tidy(() => tf.variable(tf.tensor2d(start.w, [2, 3])));
  const b = tf.tidy(() => tf.variable(tf.tensor1d(start.b)));
  const [beta1, beta2, epsilon, lambda, lr] = [0.9, 0.98, 1e-8, 0.1, 0.01];
  const optimizer = new AdamW(new Map<string, tf.Variable>([["w", w], ["b", b]]), {
    beta1,
    beta2,
    epsilon,
    weightDecay: lambda,
  });
  const gradientAt = (t: number, i: number) => Math.sin(3 * t + i) * (i + 1);
  const scales = [1, 0.5, 1, 0.25];
  // The reference: the module's formula, number by number, in float64.
  const reference = { w: [...start.w], b: [...start.b] };
  const moments = { w: start.w.map(() => [0, 0]), b: start.b.map(() => [0, 0]) };
  for (let t = 1; t <= 4; t++) {
    const grads = {
      w: start.w.map((_, i) => gradientAt(t, i)),
      b: start.b.map((_, i) => gradientAt(t, i + 6)),
    };
    optimizer.apply(
      { w: Float32Array.from(grads.w), b: Float32Array.from(grads.b) },
      lr,
      scales[t - 1],
    );
    for (const name of ["w", "b"] as const) {
      reference[name] = reference[name].map((p, i) => {
        const g = Math.fround(grads[name][i]) * scales[t - 1];
        const mv = moments[name][i];
        mv[0] = beta1 * mv[0] + (1 - beta1) * g;
        mv[1] = beta2 * mv[1] + (1 - beta2) * g * g;
        const adam = mv[0] / (1 - beta1 ** t) / (Math.sqrt(mv[1] / (1 - beta2 ** t)) + epsilon);
        return p - lr * (adam + (name === "w" ? lambda * p : 0));
      });
    }
  }
  Array.from(w.dataSync()).forEach((v, i) => assertAlmostEquals(v, reference.w[i], 2e-6));
  Array.from(b.dataSync()).forEach((v, i) => assertAlmostEquals(v, reference.b[i], 2e-6));
  tf.dispose([w, b]);
});
