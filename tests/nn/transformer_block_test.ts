import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "../assert.ts";
import {
  type AttentionPositions,
  causalMask,
  initCourse,
  LayerCache,
  paddingMask,
  setSeed,
  TransformerBlock,
} from "../../src/mod.ts";
import { random } from "../fixtures.ts";

await initCourse();

Deno.test("blocks: shapes, parameter counts, post-norm output normalised, memory flat", () => {
  setSeed(16);
  const before = tf.memory().numTensors;
  const [C, dFF] = [8, 32];
  const encoder = new TransformerBlock({ dModel: C, numHeads: 2, dFF, normPlacement: "post" });
  const decoder = new TransformerBlock({ dModel: C, numHeads: 2, dFF, crossAttention: true });
  const mha = 4 * (C * C + C);
  const ffn = C * dFF + dFF + dFF * C + C;
  assertEquals(encoder.parameterCount(), mha + ffn + 2 * 2 * C);
  assertEquals(decoder.parameterCount(), 2 * mha + ffn + 3 * 2 * C);
  assert([...decoder.parameters().keys()].includes("crossAttention.query.weight"));
  const afterBuild = tf.memory().numTensors;
  const out = tf.tidy(() => {
    const x = random([2, 5, C]) as tf.Tensor3D;
    const memory = random([2, 7, C]) as tf.Tensor3D;
    const e = encoder.apply(x, {
      mask: paddingMask([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], 0).expandDims(1),
    });
    const d = decoder.apply(x, { mask: causalMask(5), memory });
    const rows = e.output.reshape([-1, C]).arraySync() as number[][];
    return {
      e: e.output.shape,
      ew: e.weights.shape,
      d: d.output.shape,
      cw: d.crossWeights!.shape,
      rows,
    };
  });
  assertEquals(tf.memory().numTensors, afterBuild);
  assertEquals([out.e, out.ew, out.d, out.cw], [[2, 5, C], [2, 2, 5, 5], [2, 5, C], [2, 2, 5, 7]]);
  for (const row of out.rows) assertAlmostEquals(row.reduce((a, b) => a + b) / C, 0, 1e-5); // post-norm ends in LN
  encoder.dispose();
  decoder.dispose();
  assertEquals(tf.memory().numTensors, before);
});

/**
 * A position scheme for the test: turn each pair of numbers (2i, 2i + 1) of a head by the angle
 * `position · 0.3 · (i + 1)`, as rotary positions do.
 */
const turnByPosition: AttentionPositions = {
  apply: (t, offset) =>
    tf.tidy(() => {
      const [, , T, d] = t.shape;
      const angles = tf.tensor2d(
        Array.from({ length: T }, (_, p) =>
          Array.from({ length: d / 2 }, (_, i) => (offset + p) * 0.3 * (i + 1))),
      ); // (T, d/2)
      const [cos, sin] = [angles.cos(), angles.sin()];
      const pairs = t.reshape([...t.shape.slice(0, 3), d / 2, 2]);
      const [even, odd] = tf.split(pairs, 2, -1).map((h) =>
        h.squeeze([-1])
      );
      const turned = tf.stack(
        [even.mul(cos).sub(odd.mul(sin)), even.mul(sin).add(odd.mul(cos))],
        -1,
      );
      return turned.reshape(t.shape) as tf.Tensor4D;
    }),
};

Deno.test("a position scheme inside attention: applied to queries and keys at the right offsets", () => {
  setSeed(21);
  const before = tf.memory().numTensors;
  const config = { dModel: 8, numHeads: 2, initStd: 0.5 }; // scores large enough to matter
  const plain = new TransformerBlock(config);
  const turned = new TransformerBlock(config, { positions: turnByPosition });
  const [T, C] = [5, 8];
  const gaps = tf.tidy(() => {
    const x = tf.randomNormal([2, T, C], 0, 1, "float32", 4) as tf.Tensor3D;
    const mask = causalMask(T);
    const whole = turned.apply(x, { mask }).output;
    // The same positions one at a time through the cache: each new token's offset is its place.
    const cache = new LayerCache();
    const stepwise = tf.concat(
      Array.from(
        { length: T },
        (_, t) => turned.applyCached(x.slice([0, t, 0], [2, 1, C]) as tf.Tensor3D, cache),
      ),
      1,
    );
    cache.clear();
    // Copy the weights of `turned` into `plain`: the scheme alone must make the difference.
    for (const [name, v] of plain.parameters()) v.assign(turned.parameters().get(name)!);
    const unturned = plain.apply(x, { mask }).output;
    return {
      cached: tf.max(tf.abs(whole.sub(stepwise))).dataSync()[0],
      scheme: tf.max(tf.abs(whole.sub(unturned))).dataSync()[0],
    };
  });
  assert(gaps.cached < 1e-5, `cached decoding differs from the whole sequence by ${gaps.cached}`);
  assert(gaps.scheme > 1e-2, `the scheme changed nothing (${gaps.scheme})`);
  plain.dispose();
  turned.dispose();
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("a block's parts, in checkpoint order; cached decoding equals the whole sequence, with cross-attention too", () => {
  setSeed(22);
  const before = tf.memory().numTensors;
  const block = new TransformerBlock({ dModel: 8, numHeads: 2, crossAttention: true });
  assertEquals(
    [...new Set([...block.parameters().keys()].map((name) => name.split(".")[0]))],
    [
      "attention",
      "crossAttention",
      "feedForward",
      "attentionNorm",
      "crossAttentionNorm",
      "feedForwardNorm",
    ],
  );
  const gap = tf.tidy(() => {
    const x = random([2, 4, 8]) as tf.Tensor3D;
    const memory = random([2, 3, 8]) as tf.Tensor3D;
    const whole = block.apply(x, { mask: causalMask(4), memory }).output;
    const cache = new LayerCache();
    const first = block.applyCached(x.slice([0, 0, 0], [2, 3, 8]) as tf.Tensor3D, cache, {
      memory,
    });
    const last = block.applyCached(x.slice([0, 3, 0], [2, 1, 8]) as tf.Tensor3D, cache, {
      memory,
    });
    cache.clear();
    return tf.max(tf.abs(whole.sub(tf.concat([first, last], 1)))).dataSync()[0];
  });
  assert(gap < 1e-5, `cached and whole differ by ${gap}`);
  tf.tidy(() =>
    assertThrows(
      () => block.apply(random([1, 2, 8]) as tf.Tensor3D),
      /a block with cross-attention needs the encoder's output \(memory\)/,
    )
  );
  block.dispose();
  assertEquals(tf.memory().numTensors, before);
});
