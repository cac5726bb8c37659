import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "../assert.ts";
import { gradCheck } from "../gradcheck.ts";
import { initCourse, setSeed } from "../../src/mod.ts";
import { dropout } from "../../src/nn/dropout.ts";
import { random } from "../fixtures.ts";

await initCourse();

Deno.test("dropout: at rate 0 or in evaluation the input itself comes back, no operation added", () => {
  setSeed(1);
  const x = random([4, 8]);
  const before = tf.memory().numTensors;
  assert(dropout(x, 0, { training: true }) === x, "rate 0 in training");
  assert(dropout(x, 0.5) === x, "evaluation is the default");
  assert(dropout(x, 0.5, { training: false }) === x, "evaluation");
  assertEquals(tf.memory().numTensors, before);
  x.dispose();
});

Deno.test("dropout in training zeroes a share p and scales the rest by 1 / (1 − p)", () => {
  for (const p of [0.1, 0.3, 0.5]) {
    setSeed(2);
    const x = tf.ones([200, 500]);
    const before = tf.memory().numTensors;
    const values = Array.from(tf.tidy(() => dropout(x, p, { training: true }).dataSync()));
    assertEquals(tf.memory().numTensors, before);
    x.dispose();
    const zeros = values.filter((v) => v === 0).length / values.length;
    // 100,000 draws: the share's standard deviation is below 0.0016, so 0.01 is over 6σ.
    assertAlmostEquals(zeros, p, 0.01, `rate ${p}: share of zeros ${zeros}`);
    const kept = values.filter((v) => v !== 0);
    assert(
      kept.every((v) => Math.abs(v - 1 / (1 - p)) < 1e-6),
      `rate ${p}: kept values must all be 1 / (1 − p) = ${1 / (1 - p)}`,
    );
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    assertAlmostEquals(mean, 1, 0.02, `rate ${p}: the expected value is kept`);
  }
});

Deno.test("dropout: the same seed, the same mask; another seed, another mask", () => {
  const x = tf.ones([50, 40]);
  const maskAfter = (seed: number) => {
    setSeed(seed);
    return tf.tidy(() => Array.from(dropout(x, 0.5, { training: true }).dataSync()));
  };
  assertEquals(maskAfter(3), maskAfter(3));
  assert(maskAfter(3).some((v, i) => v !== maskAfter(4)[i]), "seeds 3 and 4 gave one mask");
  x.dispose();
});

Deno.test("dropout's gradient through a fixed mask: the mask over 1 − p, by finite differences", () => {
  setSeed(5);
  tf.tidy(() => {
    const x = random([3, 7]);
    const r = random([3, 7]);
    const p = 0.4;
    const f = (t: tf.Tensor) => {
      setSeed(9); // the same mask at every evaluation
      return dropout(t, p, { training: true }).mul(r).sum() as tf.Scalar;
    };
    const { worst, checked } = gradCheck(f, x);
    assert(worst < 1e-2, `worst relative error ${worst} over ${checked} entries`);
    setSeed(9);
    const mask = dropout(tf.onesLike(x), p, { training: true });
    const grad = tf.grad(f)(x);
    const gap = grad.sub(mask.mul(r)).abs().max().dataSync()[0];
    assert(gap < 1e-6, `the gradient is r ⊙ mask / (1 − p); off by ${gap}`);
  });
});

Deno.test("dropout rates outside [0, 1) are refused, naming the rate", () => {
  const x = tf.ones([2]);
  for (const rate of [1, -0.1, NaN]) {
    assertThrows(() => dropout(x, rate, { training: true }), /dropout rate must be in \[0, 1\)/);
  }
  x.dispose();
});
