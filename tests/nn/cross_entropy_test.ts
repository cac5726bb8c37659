import * as tf from "@tensorflow/tfjs";
import { assertAlmostEquals } from "../assert.ts";
import { crossEntropy, initCourse } from "../../src/mod.ts";

await initCourse();

Deno.test("cross-entropy: hand-computed value, and ignored targets are left out", () => {
  const [plain, ignoring] = tf.tidy(() => {
    const logits = tf.tensor2d([[2, 1, 0], [0, 0, 0]]);
    const targets = tf.tensor1d([0, 2], "int32");
    return [
      crossEntropy(logits, targets).dataSync()[0],
      crossEntropy(logits, targets, { ignoreId: 2 }).dataSync()[0],
    ];
  });
  // −log softmax([2,1,0])[0] = −log 0.6652 = 0.4076; −log(1/3) = 1.0986
  assertAlmostEquals(plain, (0.40760596 + Math.log(3)) / 2, 1e-5);
  assertAlmostEquals(ignoring, 0.40760596, 1e-5);
});

Deno.test("label smoothing: hand-computed loss; padding targets are left out", () => {
  const [smoothed, ignoring] = tf.tidy(() => {
    const logits = tf.tensor2d([[2, 1, 0], [5, 5, 5]]);
    const targets = tf.tensor1d([0, 9], "int32"); // the second row's target is padding (id 9 here)
    return [
      crossEntropy(logits.slice([0, 0], [1, 3]), targets.slice([0], [1]), { labelSmoothing: 0.1 })
        .dataSync()[0],
      crossEntropy(logits, targets, { labelSmoothing: 0.1, ignoreId: 9 }).dataSync()[0],
    ];
  });
  const logp = [2, 1, 0].map((x) => x - Math.log(Math.exp(2) + Math.exp(1) + 1));
  const expected = -(0.9 * logp[0] + 0.1 * (logp[0] + logp[1] + logp[2]) / 3);
  assertAlmostEquals(smoothed, expected, 1e-5);
  assertAlmostEquals(ignoring, expected, 1e-5);
});
