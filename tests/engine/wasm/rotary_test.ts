import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertThrows } from "../../assert.ts";
import { initCourse, rotaryFormula, RotaryPositions, setSeed } from "../../../src/mod.ts";
import { random } from "../../fixtures.ts";

await initCourse();

Deno.test("the rotary kernel equals its formula, forward and backward, and is used where T·d is a multiple of 4", async () => {
  setSeed(24);
  const before = tf.memory().numTensors;
  // (shape of x, offset, whether the kernel runs): two pairs in one vector; d = 6, so vectors
  // span two rows of the tables; T·d not a multiple of 4 (the formula); heads as in training
  const cases: [number[], number, boolean][] = [
    [[2, 3, 5, 8], 0, true],
    [[1, 1, 1, 4], 7, true],
    [[1, 2, 2, 6], 5, true],
    [[2, 2, 3, 2], 3, false], // T·d = 6: the formula
    [[3, 4, 64, 32], 100, true],
    [[0, 4, 2, 8], 0, true],
  ];
  for (const [shape, offset, kernel] of cases) {
    const [T, d] = shape.slice(2);
    const rope = new RotaryPositions(d);
    const profile = await tf.profile(() =>
      tf.tidy(() => {
        const x = random(shape) as tf.Tensor4D;
        const weights = random(shape); // a loss that weighs every output differently
        const run = (f: (x: tf.Tensor) => tf.Tensor) => [
          f(x),
          tf.grad((t: tf.Tensor) => f(t).mul(weights).sum())(x),
        ];
        const ours = run((t) => rope.apply(t as tf.Tensor4D, offset));
        const reference = run((t) => {
          const { cos, sin } = rope.angles(offset, T);
          return rotaryFormula(t, cos, sin);
        });
        ours.forEach((t, i) => {
          assertEquals(t.shape, shape);
          const gap = t.size === 0 ? 0 : t.sub(reference[i]).abs().max().dataSync()[0];
          assert(gap < 1e-6, `[${shape}] ${["y", "dx"][i]}: off by ${gap}`);
        });
        return tf.scalar(0);
      })
    );
    (profile.result as tf.Tensor).dispose();
    // forward twice (the value, and again under tf.grad), then back once
    const uses = profile.kernels.filter((k) => k.name === "CourseRotary").length;
    assertEquals(uses, kernel ? 3 : 0, `[${shape}]: the kernel ran ${uses} times`);
  }
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("the rotary kernel refuses tables that do not fit x", () => {
  tf.tidy(() => {
    const run = (x: number[], table: number[]) => () =>
      tf.engine().runKernel("CourseRotary", {
        x: tf.zeros(x),
        cos: tf.zeros(table),
        sin: tf.zeros(table),
      }, { inverse: false });
    assertThrows(run([1, 2, 3, 8], [4, 8]), /tables cos, sin \(T, d\)/);
    assertThrows(run([1, 2, 3, 2], [3, 2]), /multiple of 4/);
  });
});
