import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "../../assert.ts";
import { crossEntropy, crossEntropyFormula, initCourse, setSeed } from "../../../src/mod.ts";
import { random, withFusedKernels } from "../../fixtures.ts";

await initCourse();

/** The loss and its gradient in float64, from the definition. */
function reference(
  x: Float32Array,
  ids: number[],
  V: number,
  smoothing: number,
  ignoreId?: number,
): { loss: number; grad: Float64Array } {
  const counted = Math.max(ids.filter((id) => id !== ignoreId).length, 1);
  const grad = new Float64Array(x.length);
  let loss = 0;
  ids.forEach((id, i) => {
    if (id === ignoreId) return;
    const row = Array.from(x.subarray(i * V, (i + 1) * V));
    const max = Math.max(...row);
    const L = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
    const mean = row.reduce((s, v) => s + v, 0) / V;
    loss += (L - (1 - smoothing) * row[id] - smoothing * mean) / counted;
    row.forEach((v, j) => {
      grad[i * V + j] = (Math.exp(v - L) - smoothing / V - (j === id ? 1 - smoothing : 0)) /
        counted;
    });
  });
  return { loss, grad };
}

Deno.test(
  "the cross-entropy kernel agrees with float64 and with the formula, loss and gradient",
  withFusedKernels(async () => {
    setSeed(41);
    const before = tf.memory().numTensors;
    // (rows, vocabulary, smoothing, ignored id): vocabularies with every remainder mod 4, the
    // course's (81 characters, 2,048 and 4,000 tokens), label smoothing, padding left out
    const cases: [number, number, number, number | undefined][] = [
      [5, 1, 0, undefined],
      [5, 2, 0.1, undefined],
      [6, 3, 0, 0],
      [7, 8, 0.2, -1],
      [12, 81, 0, undefined],
      [16, 2048, 0, -1],
      [9, 4000, 0.1, 3],
    ];
    for (const [N, V, smoothing, ignoreId] of cases) {
      const ids = Array.from(
        { length: N },
        (_, i) => i % 3 === 2 && ignoreId !== undefined ? ignoreId : (i * 7 + 1) % V,
      );
      const profile = await tf.profile(() =>
        tf.tidy(() => {
          const x = random([N, V]).mul(4);
          const targets = tf.tensor1d(ids, "int32");
          const options = { labelSmoothing: smoothing, ignoreId };
          const { value, grad: dx } = tf.valueAndGrad((t: tf.Tensor) =>
            crossEntropy(t, targets, options)
          )(x);
          const expected = reference(x.dataSync() as Float32Array, ids, V, smoothing, ignoreId);
          const loss = value.dataSync()[0];
          assert(
            Math.abs(loss - expected.loss) < 2e-6 * (1 + expected.loss),
            `N ${N}, V ${V}: loss ${loss}, expected ${expected.loss}`,
          );
          const grad = dx.dataSync();
          const largest = Math.max(...Array.from(expected.grad, Math.abs));
          const gap = Math.max(...Array.from(grad, (g, i) => Math.abs(g - expected.grad[i])));
          // float32: L is rounded to ~1e-6 of its size, and exp(x − L) with it
          assert(gap < 2e-6 * largest + 1e-8, `N ${N}, V ${V}: the gradient is off by ${gap}`);
          if (V > 1) { // tf.oneHot needs 2 classes
            const formula = crossEntropyFormula(x as tf.Tensor2D, targets, options).dataSync()[0];
            assert(
              Math.abs(loss - formula) < 1e-5 * (1 + loss),
              `N ${N}, V ${V}: formula ${formula}`,
            );
          }
          return tf.scalar(0);
        })
      );
      (profile.result as tf.Tensor).dispose();
      const runs = profile.kernels.filter((k) => k.name.startsWith("CourseCrossEntropy")).length;
      assertEquals(runs, 2, `N ${N}, V ${V}: the kernels ran ${runs} times`);
    }
    assertEquals(tf.memory().numTensors, before);
  }),
);

Deno.test(
  "the cross-entropy kernel: every target ignored gives 0 and no gradient; (…, V) logits are flattened",
  withFusedKernels(() => {
    tf.tidy(() => {
      const x = random([3, 5]);
      const targets = tf.tensor1d([2, 2, 2], "int32");
      const f = (t: tf.Tensor) => crossEntropy(t, targets, { ignoreId: 2 });
      assertEquals(f(x).dataSync()[0], 0);
      assertEquals(tf.grad(f)(x).abs().max().dataSync()[0], 0);
      const batched = random([2, 3, 7]);
      const ids = tf.tensor2d([[0, 1, 2], [3, 4, 5]], undefined, "int32");
      const flat = crossEntropy(batched.reshape([6, 7]), ids.reshape([6]));
      assertEquals(crossEntropy(batched, ids).dataSync()[0], flat.dataSync()[0]);
    });
  }),
);
