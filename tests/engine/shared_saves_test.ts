import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "../assert.ts";
import { restoreEngineClone, shareSavedTensors } from "../../src/engine/shared_saves.ts";
import { writeNumbers } from "../../src/engine/tensor_numbers.ts";
import { initCourse } from "../../src/mod.ts";

await initCourse();

/** A small loss whose gradients keep inputs, weights and a custom gradient's saved tensors. */
function lossAndGrads(w: tf.Variable, x: tf.Tensor) {
  const squareWithSaves = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [a, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([a]);
    return {
      value: tf.square(a),
      gradFunc: (dy: tf.Tensor, [kept]: tf.Tensor[]) => [dy.mul(kept).mul(2)],
    };
  });
  return tf.variableGrads(() => {
    const h = tf.matMul(x, w).relu();
    return (squareWithSaves(h) as tf.Tensor).add(tf.sigmoid(h)).sum() as tf.Scalar;
  }, [w]);
}

/** The loss, the gradient's numbers and the Identity calls of one step, as the engine is set. */
async function measure(w: tf.Variable, x: tf.Tensor) {
  let grad: number[] = [];
  let value = NaN;
  const profile = await tf.profile(() => {
    const { value: v, grads } = lossAndGrads(w, x);
    value = v.dataSync()[0];
    grad = Array.from(grads[w.name].dataSync());
    tf.dispose([v, grads[w.name]]);
  });
  const identities = profile.kernels.filter((k) => k.name === "Identity").length;
  return { value, grad, identities };
}

/** `body` with the engine's own clone, then the shared handles back. */
async function withEngineClone<T>(body: () => Promise<T> | T): Promise<T> {
  restoreEngineClone();
  try {
    return await body();
  } finally {
    shareSavedTensors();
  }
}

for (const backend of ["wasm", "cpu"] as const) {
  Deno.test(`shared saves (${backend}): the same gradients bit for bit, no Identity calls, nothing left behind`, async () => {
    await initCourse({ backend });
    try {
      const w = tf.variable(tf.randomNormal([6, 5], 0, 1, "float32", 3));
      const x = tf.randomNormal([4, 6], 0, 1, "float32", 4);
      const before = tf.memory();
      const cloned = await withEngineClone(() => measure(w, x));
      shareSavedTensors(); // idempotent
      const shared = await measure(w, x);
      assertEquals(shared.value, cloned.value);
      assertEquals(shared.grad, cloned.grad);
      assert(cloned.identities >= 3, `the engine's own clone: ${cloned.identities} Identity calls`);
      assertEquals(shared.identities, 0, "shared handles need no Identity kernel");
      const after = tf.memory();
      assertEquals(after.numTensors, before.numTensors, "no tensors left behind");
      assertEquals(after.numDataBuffers, before.numDataBuffers, "no buffers left behind");
      tf.dispose([w, x]);
    } finally {
      await initCourse();
    }
  });
}

Deno.test("shared saves: gradients of gradients flow through the kept handles", async () => {
  const x = tf.tensor1d([1, 2, -3]);
  const second = () =>
    tf.tidy(() => Array.from(tf.grad((u) => tf.grad((v) => v.mul(v).mul(v))(u))(x).dataSync()));
  assertEquals(second(), [6, 12, -18], "d²(x³)/dx² = 6x");
  assertEquals(second(), await withEngineClone(second));
  x.dispose();
});

Deno.test("shared saves: writing a weight in place leaves what a gradient kept as it was", () => {
  const w = tf.variable(tf.tensor1d([1, 2, 3]));
  // The tape keeps `w` for Mul's gradient; a write in the middle must not reach the kept handle.
  const { value, grads } = tf.variableGrads(() => {
    const y = w.mul(w).sum() as tf.Scalar;
    writeNumbers(w, new Float32Array([7, 7, 7]));
    return y;
  }, [w]);
  assertEquals(Array.from(grads[w.name].dataSync()), [2, 4, 6]);
  assertEquals(Array.from(w.dataSync()), [7, 7, 7]);
  tf.dispose([w, value, grads[w.name]]);
});
