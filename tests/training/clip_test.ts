import * as tf from "@tensorflow/tfjs";
import { assertAlmostEquals } from "../assert.ts";
import { clipByGlobalNorm, initCourse } from "../../src/mod.ts";

await initCourse();

Deno.test("clipping by global norm: √(3² + 4²) = 5 scaled to 1", () => {
  const { values, norm } = tf.tidy(() => {
    const c = clipByGlobalNorm({ a: tf.tensor1d([3]), b: tf.tensor1d([4]) }, 1);
    return {
      values: [c.gradients.a.dataSync()[0], c.gradients.b.dataSync()[0]],
      norm: c.norm,
    };
  });
  assertAlmostEquals(norm, 5, 1e-5);
  assertAlmostEquals(values[0], 0.6, 1e-5);
  assertAlmostEquals(values[1], 0.8, 1e-5);
});
