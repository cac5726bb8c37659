import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "../assert.ts";
import {
  initCourse,
  sinusoidalEncoding,
  sinusoidalFrequencies,
  sinusoidalShift,
} from "../../src/mod.ts";

await initCourse();

Deno.test("sinusoidal encoding: hand-computed values", () => {
  const pe = sinusoidalEncoding(3, 4);
  const rows = pe.arraySync();
  pe.dispose();
  // ω = [1, 10000^(-2/4) = 0.01]; PE(pos) = [sin(pos), cos(pos), sin(0.01 pos), cos(0.01 pos)]
  const expected = [
    [0, 1, 0, 1],
    [0.841471, 0.540302, 0.0099998, 0.99995],
    [0.909297, -0.416147, 0.0199987, 0.9998],
  ];
  rows.forEach((row, p) =>
    row.forEach((v, i) => assertAlmostEquals(v, expected[p][i], 1e-5, `PE(${p}, ${i})`))
  );
  assertEquals(sinusoidalFrequencies(8).map((w) => Number(w.toPrecision(6))), [
    1,
    0.1,
    0.01,
    0.001,
  ]);
});

Deno.test("sinusoidal encoding: PE(pos + k) = M_k · PE(pos) for every position", () => {
  const before = tf.memory().numTensors;
  const dim = 16;
  const pe = sinusoidalEncoding(80, dim);
  for (const k of [1, 5, 17]) {
    const error = tf.tidy(() => {
      const shifted = pe.slice([0, 0], [80 - k, dim]).matMul(sinusoidalShift(k, dim), false, true);
      return tf.max(tf.abs(shifted.sub(pe.slice([k, 0], [80 - k, dim])))).dataSync()[0];
    });
    assert(error < 1e-4, `k = ${k}: largest error ${error}`);
  }
  pe.dispose();
  assertEquals(tf.memory().numTensors, before);
  assertThrows(() => sinusoidalEncoding(4, 5), /even, positive dimension; got 5/);
});
