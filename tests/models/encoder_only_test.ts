import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertThrows } from "../assert.ts";
import { EncoderOnly, initCourse, setSeed } from "../../src/mod.ts";

await initCourse();

Deno.test("encoder-only: every position sees both sides; padding changes nothing real; no leaks", () => {
  setSeed(31);
  const model = new EncoderOnly({
    vocabSize: 30,
    maxLength: 12,
    dModel: 32,
    numHeads: 4,
    numLayers: 2,
  });
  const before = tf.memory().numTensors;
  const [leftGap, padGap] = tf.tidy(() => {
    const a = model.encode(tf.tensor2d([[2, 5, 6, 7, 3]], undefined, "int32"));
    const b = model.encode(tf.tensor2d([[2, 5, 6, 9, 3]], undefined, "int32")); // change position 3
    const padded = model.encode(tf.tensor2d([[2, 5, 6, 7, 3, 0, 0]], undefined, "int32")).slice([
      0,
      0,
      0,
    ], [1, 5, -1]);
    return [
      tf.max(tf.abs(a.slice([0, 1, 0], [1, 1, -1]).sub(b.slice([0, 1, 0], [1, 1, -1]))))
        .dataSync()[0],
      tf.max(tf.abs(a.sub(padded))).dataSync()[0],
    ];
  });
  assert(
    leftGap > 1e-6,
    "position 1 did not change when a token to its right changed (that would be causal)",
  );
  assert(padGap < 1e-5, `padding changed real positions by ${padGap}`);
  const loss = tf.tidy(() =>
    model.loss(
      tf.tensor2d([[2, 4, 6, 3]], undefined, "int32"),
      tf.tensor1d([1], "int32"),
      tf.tensor1d([5], "int32"),
    ).dataSync()[0]
  );
  assert(Math.abs(loss - Math.log(30)) < 0.5, `untrained loss ${loss} should be near ln 30`);
  assertEquals(tf.memory().numTensors, before);
  assertThrows(
    () => model.encode(tf.tensor2d([Array(13).fill(5)], undefined, "int32")),
    /sequence of 13 tokens is longer than maxLength 12/,
  );
  assertThrows(
    () => new EncoderOnly({ vocabSize: 30, maxLength: 12, dModel: 30, numHeads: 4, numLayers: 1 }),
    /dModel \(30\) must be divisible by numHeads \(4\)/,
  );
  model.dispose();
});
