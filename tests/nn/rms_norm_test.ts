import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals } from "../assert.ts";
import { initCourse, LayerNorm, RMSNorm, rmsNormFormula } from "../../src/mod.ts";
import { random } from "../fixtures.ts";

await initCourse();

Deno.test("RMSNorm: rows get a root mean square of 1, then the gain; known values", () => {
  const norm = new RMSNorm(4);
  assertEquals([...norm.parameters().keys()], ["gain"]);
  const [rows, known] = tf.tidy(() => [
    norm.apply(random([3, 7, 4]).mul(5).add(3)).reshape([-1, 4]).arraySync() as number[][],
    Array.from(norm.apply(tf.tensor1d([1, 2, 3, 4])).dataSync()),
  ]);
  for (const row of rows) {
    assertAlmostEquals(Math.sqrt(row.reduce((a, b) => a + b * b, 0) / 4), 1, 1e-3);
  }
  // x / √7.5: the mean of 1, 4, 9, 16 is 7.5. The mean stays: no centring.
  [1, 2, 3, 4].forEach((v, i) => assertAlmostEquals(known[i], v / Math.sqrt(7.5), 1e-5));
  norm.gain.assign(tf.tensor1d([2, 1, 1, 1]));
  const scaled = tf.tidy(() => norm.apply(tf.tensor1d([1, 2, 3, 4])).dataSync()[0]);
  assertAlmostEquals(scaled, 2 / Math.sqrt(7.5), 1e-5);
  norm.dispose();
});

Deno.test("RMSNorm equals LayerNorm on a row of mean 0, and the formula everywhere", () => {
  const rms = new RMSNorm(6);
  const ln = new LayerNorm(6);
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const x = random([5, 6]);
    const centred = x.sub(x.mean(-1, true));
    const gap = rms.apply(centred).sub(ln.apply(centred)).abs().max().dataSync()[0];
    assert(gap < 1e-5, `RMSNorm and LayerNorm differ on centred rows by ${gap}`);
    const formula = rmsNormFormula(x, rms.gain, 1e-5);
    const off = rms.apply(x).sub(formula).abs().max().dataSync()[0];
    assert(off < 1e-6, `RMSNorm differs from its formula by ${off}`);
  });
  assertEquals(tf.memory().numTensors, before);
  rms.dispose();
  ln.dispose();
});
