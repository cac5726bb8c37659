import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "../assert.ts";
import { EncoderDecoder, initCourse, setSeed } from "../../src/mod.ts";
import { SMALL } from "../fixtures.ts";

await initCourse();

Deno.test("decoder causality: changing target token j never changes the logits at i < j", () => {
  setSeed(21);
  const model = new EncoderDecoder(SMALL);
  const diffs = tf.tidy(() => {
    const source = tf.tensor2d([[3, 4, 5, 6]], undefined, "int32");
    const a = model.forward(source, tf.tensor2d([[1, 3, 4, 5, 6]], undefined, "int32"));
    const b = model.forward(source, tf.tensor2d([[1, 3, 4, 9, 8]], undefined, "int32"));
    return Array.from(
      { length: 5 },
      (_, i) =>
        tf.max(tf.abs(a.slice([0, i, 0], [1, 1, -1]).sub(b.slice([0, i, 0], [1, 1, -1]))))
          .dataSync()[0],
    );
  });
  assert(diffs.slice(0, 3).every((d) => d === 0), `logits before the change moved: ${diffs}`);
  assert(diffs[3] > 0 && diffs[4] > 0);
  model.dispose();
});

Deno.test("padding never changes outputs at real positions (source and target)", () => {
  setSeed(22);
  const model = new EncoderDecoder(SMALL);
  const [sourceGap, targetGap] = tf.tidy(() => {
    const target = tf.tensor2d([[1, 3, 4]], undefined, "int32");
    const unpadded = model.forward(tf.tensor2d([[3, 4, 5]], undefined, "int32"), target);
    const padded = model.forward(tf.tensor2d([[3, 4, 5, 0, 0, 0]], undefined, "int32"), target);
    const source = tf.tensor2d([[3, 4, 5, 6, 7, 8, 9]], undefined, "int32"); // 7 source vs 3 target positions
    const short = model.forward(source, target);
    const long = model.forward(source, tf.tensor2d([[1, 3, 4, 0, 0]], undefined, "int32")).slice([
      0,
      0,
      0,
    ], [1, 3, -1]);
    return [
      tf.max(tf.abs(unpadded.sub(padded))).dataSync()[0],
      tf.max(tf.abs(short.sub(long))).dataSync()[0],
    ];
  });
  assert(sourceGap < 1e-5, `source padding changed the logits by ${sourceGap}`);
  // Cross-attention weights for pictures: one (B, H, Tt, Ts) tensor per decoder block, rows sum to 1.
  const weights = { cross: [] as tf.Tensor4D[] };
  tf.tidy(() => {
    const encoded = model.encode(tf.tensor2d([[3, 4, 5, 6, 7, 8, 9]], undefined, "int32"));
    model.decode(tf.tensor2d([[1, 3, 4]], undefined, "int32"), encoded, weights);
  });
  assertEquals(weights.cross.map((w) => w.shape), [[1, 4, 3, 7], [1, 4, 3, 7]]);
  const rowSums = tf.tidy(() => Array.from(weights.cross[1].sum(-1).dataSync()));
  rowSums.forEach((total) => assertAlmostEquals(total, 1, 1e-5));
  tf.dispose(weights.cross);
  assert(targetGap < 1e-5, `target padding changed the logits by ${targetGap}`);
  model.dispose();
});

Deno.test("encoder-decoder config and input errors name the problem", () => {
  assertThrows(
    () => new EncoderDecoder({ ...SMALL, numHeads: 3 }),
    /dModel \(32\) must be divisible by numHeads \(3\)/,
  );
  assertThrows(
    () => new EncoderDecoder({ ...SMALL, decoderLayers: 0 }),
    /decoderLayers must be a positive integer, got 0/,
  );
  const model = new EncoderDecoder(SMALL);
  tf.tidy(() => {
    assertThrows(
      () => model.encode(tf.zeros([1, 17], "int32") as tf.Tensor2D),
      /source of 17 tokens is longer than maxLength 16/,
    );
  });
  model.dispose();
});
