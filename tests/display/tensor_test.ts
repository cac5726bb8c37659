import * as tf from "@tensorflow/tfjs";
import { assertEquals } from "../assert.ts";
import { formatTensor, initCourse } from "../../src/mod.ts";

await initCourse();

Deno.test("formatTensor: dtype, shape, aligned values; long dimensions shortened", async () => {
  await initCourse();
  const before = tf.memory().numTensors;
  const text = tf.tidy(() =>
    formatTensor(tf.tensor2d([[0.8, -1.8, 0.6], [1, 2, 3]]), { digits: 2, name: "X" })
  );
  assertEquals(text, "X: float32 [2, 3]\n[[ 0.80, -1.80,  0.60],\n [ 1.00,  2.00,  3.00]]");
  const long = tf.tidy(() => formatTensor(tf.range(0, 20, 1, "int32")));
  assertEquals(long, "int32 [20]\n[ 0,  1,  2, …, 17, 18, 19]");
  const cube = tf.tidy(() => formatTensor(tf.tensor3d([1, 2, 3, 4], [2, 1, 2], "int32")));
  assertEquals(cube, "int32 [2, 1, 2]\n[[[1, 2]],\n\n [[3, 4]]]");
  assertEquals(tf.memory().numTensors, before);
});
