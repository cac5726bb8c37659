import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals } from "../assert.ts";
import { initCourse, RotaryPositions, rotatePairs, setSeed } from "../../src/mod.ts";
import { random } from "../fixtures.ts";

await initCourse();

/** The largest |a − b| over two tensors. */
function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => a.sub(b).abs().max().dataSync()[0]);
}

Deno.test("rotatePairs turns each pair by 90°: (a, b) → (−b, a)", () => {
  const turned = tf.tidy(() => Array.from(rotatePairs(tf.tensor1d([1, 2, 3, 4])).dataSync()));
  assertEquals(turned, [-2, 1, -4, 3]);
});

Deno.test("RoPE: position 0 is the identity, and rotations keep every pair's length", () => {
  setSeed(3);
  const rope = new RotaryPositions(8);
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const x = random([2, 3, 5, 8]) as tf.Tensor4D; // (B, H, T, d)
    const first = x.slice([0, 0, 0, 0], [2, 3, 1, 8]) as tf.Tensor4D;
    assert(maxDiff(rope.apply(first, 0), first) < 1e-7, "position 0 changed the vector");
    const pairLength = (t: tf.Tensor) => t.reshape([2, 3, 5, 4, 2]).square().sum(-1);
    assert(maxDiff(pairLength(rope.apply(x, 7)), pairLength(x)) < 1e-5, "a pair changed length");
  });
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("RoPE: pair i at position p turns by p·ωᵢ, ωᵢ = 10000^(−2i/d); known values", () => {
  const rope = new RotaryPositions(4); // ω = [1, 0.01]
  assertAlmostEquals(rope.frequencies[1], 0.01, 1e-12);
  const out = tf.tidy(() =>
    Array.from(rope.apply(tf.tensor4d([1, 0, 1, 0], [1, 1, 1, 4]), 3).dataSync())
  );
  // (1, 0) turned by 3 rad and by 0.03 rad.
  [Math.cos(3), Math.sin(3), Math.cos(0.03), Math.sin(0.03)].forEach((v, i) =>
    assertAlmostEquals(out[i], v, 1e-6)
  );
});

Deno.test("RoPE: a query·key score depends only on the offset, n − m", () => {
  setSeed(4);
  const rope = new RotaryPositions(16);
  tf.tidy(() => {
    const q = random([1, 1, 1, 16]) as tf.Tensor4D;
    const k = random([1, 1, 1, 16]) as tf.Tensor4D;
    const score = (m: number, n: number) =>
      rope.apply(q, m).mul(rope.apply(k, n)).sum().dataSync()[0];
    for (const [m, n] of [[0, 3], [2, 9], [5, 5], [9, 2]]) {
      for (const shift of [1, 17, 250]) {
        assertAlmostEquals(score(m + shift, n + shift), score(m, n), 1e-4);
      }
    }
    // …and does depend on it.
    assert(Math.abs(score(0, 1) - score(0, 6)) > 1e-3, "scores ignore the offset");
    // A sequence at an offset equals its positions applied one by one.
    const x = random([1, 2, 4, 16]) as tf.Tensor4D;
    const whole = rope.apply(x, 10);
    const oneByOne = tf.concat(
      [0, 1, 2, 3].map((t) =>
        rope.apply(x.slice([0, 0, t, 0], [1, 2, 1, 16]) as tf.Tensor4D, 10 + t)
      ),
      2,
    );
    assert(
      maxDiff(whole, oneByOne) < 1e-6,
      "a sequence's positions are not offset … offset + T − 1",
    );
  });
});

Deno.test("RotaryPositions rejects odd head sizes and wrong shapes, saying what it expected", () => {
  let message = "";
  try {
    new RotaryPositions(7);
  } catch (error) {
    message = (error as Error).message;
  }
  assertEquals(message, "rotary positions need an even head size, got 7");
  const rope = new RotaryPositions(8);
  tf.tidy(() => {
    try {
      rope.apply(tf.zeros([1, 1, 3, 6]) as tf.Tensor4D, 0);
      message = "";
    } catch (error) {
      message = (error as Error).message;
    }
  });
  assertEquals(message, "rotary positions expect (B, H, T, 8), got [1,1,3,6]");
});
