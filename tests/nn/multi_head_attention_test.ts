import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertThrows } from "../assert.ts";
import {
  causalMask,
  initCourse,
  MultiHeadAttention,
  paddingMask,
  scaledDotProductAttention,
  setSeed,
  TransformerBlock,
} from "../../src/mod.ts";
import { random } from "../fixtures.ts";

await initCourse();

function maxDifference(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(a.sub(b))).dataSync()[0]);
}

Deno.test("causal multi-head attention: changing token j never changes the output at i < j", () => {
  setSeed(11);
  const mha = new MultiHeadAttention(8, 2);
  const diffs = tf.tidy(() => {
    const x = random([1, 6, 8]);
    const changed = tf.concat([x.slice([0, 0, 0], [1, 4, 8]), random([1, 2, 8])], 1); // tokens 4, 5 replaced
    const mask = causalMask(6);
    const a = mha.apply(x as tf.Tensor3D, x as tf.Tensor3D, mask).output;
    const b = mha.apply(changed as tf.Tensor3D, changed as tf.Tensor3D, mask).output;
    return Array.from(
      { length: 6 },
      (_, i) => maxDifference(a.slice([0, i, 0], [1, 1, 8]), b.slice([0, i, 0], [1, 1, 8])),
    );
  });
  assert(diffs.slice(0, 4).every((d) => d === 0), `outputs before the change moved: ${diffs}`);
  assert(diffs[4] > 1e-3 && diffs[5] > 1e-3, `outputs after the change did not move: ${diffs}`);
  mha.dispose();
});

Deno.test("self-attention without positions is permutation-equivariant", () => {
  setSeed(12);
  const mha = new MultiHeadAttention(8, 4);
  const difference = tf.tidy(() => {
    const x = random([1, 5, 8]) as tf.Tensor3D;
    const order = tf.tensor1d([3, 0, 4, 1, 2], "int32");
    const permutedInput = tf.gather(x, order, 1) as tf.Tensor3D;
    const outputOfPermuted = mha.apply(permutedInput).output;
    const permutedOutput = tf.gather(mha.apply(x).output, order, 1);
    return maxDifference(outputOfPermuted, permutedOutput);
  });
  assert(difference < 1e-5, `difference ${difference}`);
  mha.dispose();
});

Deno.test("multi-head attention: a loop over heads equals the batched implementation", () => {
  setSeed(13);
  const [C, H] = [12, 3];
  const mha = new MultiHeadAttention(C, H);
  const d = C / H;
  const difference = tf.tidy(() => {
    const x = random([2, 4, C]) as tf.Tensor3D;
    const project = (w: tf.Tensor, b: tf.Tensor, h: number) =>
      x.reshape([-1, C]).matMul(w.slice([0, h * d], [C, d])).add(b.slice([h * d], [d])).reshape([
        2,
        4,
        d,
      ]);
    const heads = Array.from({ length: H }, (_, h) => {
      const q = project(mha.query.weight, mha.query.bias!, h);
      const k = project(mha.key.weight, mha.key.bias!, h);
      const v = project(mha.value.weight, mha.value.bias!, h);
      return scaledDotProductAttention(q, k, v).output; // (2, 4, d)
    });
    const looped = mha.output.apply(tf.concat(heads, 2));
    return maxDifference(looped, mha.apply(x).output);
  });
  assert(difference < 1e-5, `difference ${difference}`);
  mha.dispose();
});

Deno.test("cross-attention: queries and keys of different lengths; padding never changes real outputs", () => {
  setSeed(14);
  const mha = new MultiHeadAttention(8, 2);
  const result = tf.tidy(() => {
    const target = random([2, 3, 8]) as tf.Tensor3D;
    const source = random([2, 5, 8]) as tf.Tensor3D;
    const ids = [[5, 6, 7, 0, 0], [5, 6, 7, 8, 9]]; // sequence 0 has 2 padding tokens (id 0)
    const mask = paddingMask(ids, 0).expandDims(1); // (B, 1, 1, Ts)
    const { output, weights } = mha.apply(target, source, mask);
    // Replace the padded source vectors: the outputs must not move.
    const noisy = tf.concat([source.slice([0, 0, 0], [1, 3, 8]), random([1, 2, 8]).mul(100)], 1);
    const source2 = tf.concat([noisy, source.slice([1, 0, 0], [1, 5, 8])], 0) as tf.Tensor3D;
    const again = mha.apply(target, source2, mask).output;
    const padWeights = (weights.arraySync() as number[][][][])[0].flatMap((head) =>
      head.flatMap((row) => row.slice(3))
    );
    return {
      shape: output.shape,
      weightShape: weights.shape,
      difference: maxDifference(output, again),
      padWeights,
    };
  });
  assertEquals(result.shape, [2, 3, 8]);
  assertEquals(result.weightShape, [2, 2, 3, 5]);
  assert(result.padWeights.every((w) => w === 0));
  assertEquals(result.difference, 0);
  mha.dispose();
});

Deno.test("configurations and shapes are checked, with messages that say what was expected", () => {
  assertThrows(
    () => new MultiHeadAttention(10, 3),
    /dModel \(10\) must be divisible by numHeads \(3\)/,
  );
  assertThrows(
    () => new TransformerBlock({ dModel: 8, numHeads: 2, normPlacement: "middle" as "pre" }),
    /normPlacement must be "pre" or "post", got "middle"/,
  );
  assertThrows(
    () => new TransformerBlock({ dModel: 8, numHeads: 0 }),
    /numHeads must be a positive integer, got 0/,
  );
  const mha = new MultiHeadAttention(8, 2);
  tf.tidy(() => {
    assertThrows(
      () => mha.apply(random([1, 4, 6]) as tf.Tensor3D),
      /x must have shape \(B, T, 8\), got \[1,4,6\]/,
    );
    assertThrows(
      () => mha.apply(random([1, 4, 8]) as tf.Tensor3D, undefined, causalMask(5)),
      /mask of shape \[5,5\] does not broadcast to the attention scores' shape \[1,2,4,4\]/,
    );
    assertThrows(
      () => scaledDotProductAttention(random([3, 4]), random([3, 5]), random([3, 5])),
      /same last dimension/,
    );
  });
  mha.dispose();
});

Deno.test("grouped-query attention equals multi-head attention with each KV head's weights repeated for its group", () => {
  setSeed(31);
  for (const numKVHeads of [2, 1]) {
    const gqa = new MultiHeadAttention(16, 4, { numKVHeads });
    const mha = new MultiHeadAttention(16, 4);
    assertEquals(gqa.key.weight.shape, [16, numKVHeads * 4]);
    const group = 4 / numKVHeads;
    tf.tidy(() => {
      // Query head h reads KV head ⌊h / group⌋: repeat each KV head's 4 columns `group` times.
      const repeat = (w: tf.Tensor, width: number) =>
        tf.concat(
          Array.from({ length: 4 }, (_, h) => w.slice([0, Math.floor(h / group) * 4], [width, 4])),
          1,
        );
      mha.query.weight.assign(gqa.query.weight);
      mha.output.weight.assign(gqa.output.weight);
      mha.key.weight.assign(repeat(gqa.key.weight, 16));
      mha.value.weight.assign(repeat(gqa.value.weight, 16));
      mha.key.bias!.assign(repeat(gqa.key.bias!.reshape([1, -1]), 1).reshape([16]));
      mha.value.bias!.assign(repeat(gqa.value.bias!.reshape([1, -1]), 1).reshape([16]));
      const x = random([2, 5, 16]) as tf.Tensor3D;
      const mask = causalMask(5);
      const a = gqa.apply(x, x, mask);
      const b = mha.apply(x, x, mask);
      assert(maxDifference(a.output, b.output) < 1e-6, `${numKVHeads} KV heads: outputs differ`);
      assert(maxDifference(a.weights, b.weights) < 1e-6, `${numKVHeads} KV heads: weights differ`);
    });
    gqa.dispose();
    mha.dispose();
  }
});

Deno.test("attention without biases has none; numKVHeads is checked", () => {
  const mha = new MultiHeadAttention(8, 2, { bias: false, numKVHeads: 1 });
  assertEquals([...mha.parameters().keys()], [
    "query.weight",
    "key.weight",
    "value.weight",
    "output.weight",
  ]);
  mha.dispose();
  assertThrows(
    () => new MultiHeadAttention(8, 4, { numKVHeads: 3 }),
    /numKVHeads \(3\) must divide numHeads \(4\)/,
  );
});
