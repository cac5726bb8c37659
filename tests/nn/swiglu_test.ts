import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals } from "../assert.ts";
import { FeedForward, initCourse, setSeed, silu, SwiGLU, swigluWidth } from "../../src/mod.ts";
import { random } from "../fixtures.ts";

await initCourse();

Deno.test("SiLU: z·σ(z); known values", () => {
  const values = tf.tidy(() => Array.from(silu(tf.tensor1d([-2, 0, 1, 3])).dataSync()));
  [-2 / (1 + Math.exp(2)), 0, 1 / (1 + Math.exp(-1)), 3 / (1 + Math.exp(-3))].forEach((v, i) =>
    assertAlmostEquals(values[i], v, 1e-6)
  );
});

Deno.test("SwiGLU equals its formula, (SiLU(x W_g) ⊙ x W_u) W_d, without biases", () => {
  setSeed(5);
  const ffn = new SwiGLU(6, 16, { bias: false, initStd: 0.3 });
  assertEquals([...ffn.parameters().keys()], ["gate.weight", "up.weight", "down.weight"]);
  const before = tf.memory().numTensors;
  const worst = tf.tidy(() => {
    const x = random([2, 3, 6]);
    const byHand = tf.tidy(() => {
      const flat = x.reshape([-1, 6]);
      const gate = flat.matMul(ffn.gate.weight);
      const gated = gate.mul(tf.sigmoid(gate)).mul(flat.matMul(ffn.up.weight));
      return gated.matMul(ffn.down.weight).reshape([2, 3, 6]);
    });
    return ffn.apply(x).sub(byHand).abs().max().dataSync()[0];
  });
  assert(worst < 1e-5, `SwiGLU differs from its formula by ${worst}`);
  assertEquals(tf.memory().numTensors, before);
  ffn.dispose();
});

Deno.test("swigluWidth: 2/3 of 4C gives the MLP's parameters; Llama's widths", () => {
  assertEquals(swigluWidth(4096, 256), 11008); // Llama 1/2 7B
  assertEquals(swigluWidth(96), 256);
  const C = 96;
  const mlp = new FeedForward(C, 4 * C, "gelu", { bias: false });
  const swiglu = new SwiGLU(C, swigluWidth(C), { bias: false });
  const count = (m: { parameters(): Map<string, tf.Variable> }) =>
    [...m.parameters().values()].reduce((n, v) => n + v.size, 0);
  assertEquals(count(mlp), 2 * C * 4 * C);
  assertEquals(count(swiglu), 3 * C * swigluWidth(C));
  assertEquals(count(swiglu), count(mlp)); // 8C/3 is a whole number for C = 96
  mlp.dispose();
  swiglu.dispose();
});
