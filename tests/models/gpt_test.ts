import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "../assert.ts";
import { generate, GPT, initCourse, Random, sampleBatch, setSeed } from "../../src/mod.ts";
import { cachedLogits, TINY } from "../fixtures.ts";

await initCourse();

Deno.test("an untrained GPT's loss is about ln(vocabulary size)", () => {
  setSeed(1);
  const model = new GPT({ ...TINY, vocabSize: 81 });
  const loss = tf.tidy(() => {
    const random = new Random(3);
    const ids = Int32Array.from({ length: 2000 }, () => random.int(81));
    const batch = sampleBatch(ids, 8, 16, random);
    return model.loss(batch.x, batch.y).dataSync()[0];
  });
  assertAlmostEquals(loss, Math.log(81), 0.05);
  model.dispose();
});

Deno.test("GPT config errors name the bad value", () => {
  assertThrows(
    () => new GPT({ ...TINY, numHeads: 5 }),
    /dModel \(32\) must be divisible by numHeads \(5\)/,
  );
  assertThrows(
    () => new GPT({ ...TINY, numLayers: 0 }),
    /numLayers must be a positive integer, got 0/,
  );
  const model = new GPT(TINY);
  tf.tidy(() => {
    assertThrows(
      () => model.forward(tf.zeros([1, 17], "int32") as tf.Tensor2D),
      /17 tokens is longer than the context length 16/,
    );
    assertThrows(
      () => model.forward(tf.zeros([1, 4]) as tf.Tensor2D),
      /int32 tensor of shape \(B, T\), got float32/,
    );
  });
  model.dispose();
});

Deno.test("KV cache: cached logits equal uncached ones, and greedy tokens are identical", () => {
  setSeed(12);
  const model = new GPT(TINY);
  const gap = tf.tidy(() => {
    const ids = tf.tensor2d([[3, 1, 4, 1, 5, 9, 2, 6]], undefined, "int32");
    const full = model.forward(ids); // (1, 8, V)
    const { logits } = cachedLogits(model, ids, 5); // prefill 5, then one at a time
    return tf.max(tf.abs(logits.sub(full))).dataSync()[0];
  });
  assert(gap < 1e-5, `cached and uncached logits differ by ${gap}`);
  const before = tf.memory().numTensors;
  const prompt = [1, 2, 3];
  const withCache = generate(model, prompt, { maxNewTokens: 13, temperature: 0, cache: true });
  const without = generate(model, prompt, { maxNewTokens: 13, temperature: 0, cache: false });
  assertEquals(withCache, without);
  assertEquals(tf.memory().numTensors, before);
  model.dispose();
});
