import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "../../assert.ts";
import {
  initCourse,
  layerNorm,
  layerNormFormula,
  rmsNorm,
  rmsNormFormula,
  setSeed,
} from "../../../src/mod.ts";
import { random } from "../../fixtures.ts";

await initCourse();

Deno.test("LayerNorm's kernels equal its formula in tensor operations: values and all gradients, any width", async () => {
  setSeed(16);
  const before = tf.memory().numTensors;
  // Widths that are and are not multiples of the kernels' 4 lanes; an empty batch too.
  for (const shape of [[2, 3, 6], [4, 5], [3, 1], [2, 4], [7, 3], [2, 2, 128], [0, 8]]) {
    const C = shape[shape.length - 1];
    const profile = await tf.profile(() =>
      tf.tidy(() => {
        const x = random(shape).mul(3).add(1);
        const gain = random([C]).add(1);
        const bias = random([C]);
        const weights = random(shape); // a loss that weighs every output differently
        const run = (f: typeof layerNormFormula) => {
          const loss = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
            f(a, g, b, 1e-5).mul(weights).sum();
          return [f(x, gain, bias, 1e-5), ...tf.grads(loss)([x, gain, bias])];
        };
        const [ours, formula] = [run(layerNorm), run(layerNormFormula)];
        ["y", "dx", "dgain", "dbias"].forEach((name, i) => {
          assertEquals(ours[i].shape, formula[i].shape);
          const scale = formula[i].size === 0 ? 1 : 1 + formula[i].abs().max().dataSync()[0];
          const gap = formula[i].size === 0 ? 0 : ours[i].sub(formula[i]).abs().max().dataSync()[0];
          assert(gap < 2e-6 * scale, `[${shape}] ${name}: off by ${gap} (scale ${scale})`);
        });
        return tf.scalar(0);
      })
    );
    (profile.result as tf.Tensor).dispose();
    assert(profile.kernelNames.includes("CourseLayerNormGrad"), `[${shape}]: kernels not used`);
  }
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("RMSNorm's kernels equal its formula in tensor operations: values and both gradients, any width", async () => {
  setSeed(17);
  const before = tf.memory().numTensors;
  for (const shape of [[2, 3, 6], [4, 5], [3, 1], [2, 4], [7, 3], [2, 2, 128], [0, 8]]) {
    const C = shape[shape.length - 1];
    const profile = await tf.profile(() =>
      tf.tidy(() => {
        const x = random(shape).mul(3).add(1);
        const gain = random([C]).add(1);
        const weights = random(shape);
        const run = (f: typeof rmsNormFormula) => {
          const loss = (a: tf.Tensor, g: tf.Tensor) => f(a, g, 1e-5).mul(weights).sum();
          return [f(x, gain, 1e-5), ...tf.grads(loss)([x, gain])];
        };
        const [ours, formula] = [run(rmsNorm), run(rmsNormFormula)];
        // dx = (g − x̂ mean(g x̂)) / σ is a difference of terms of size |g| / σ that nearly cancel
        // where a row has few numbers (one number: x̂ = ±1 and dx ≈ 0), so its rounding is
        // bounded relative to those terms.
        const terms = x.size === 0 ? 0 : tf.tidy(() =>
          weights.mul(gain).abs().max().mul(
            x.square().mean(-1).add(1e-5).rsqrt().max(),
          ).dataSync()[0]
        );
        ["y", "dx", "dgain"].forEach((name, i) => {
          assertEquals(ours[i].shape, formula[i].shape);
          const size = formula[i].size === 0 ? 0 : formula[i].abs().max().dataSync()[0];
          const scale = 1 + (name === "dx" ? Math.max(size, terms) : size);
          const gap = formula[i].size === 0 ? 0 : ours[i].sub(formula[i]).abs().max().dataSync()[0];
          assert(gap < 2e-6 * scale, `[${shape}] ${name}: off by ${gap} (scale ${scale})`);
        });
        return tf.scalar(0);
      })
    );
    (profile.result as tf.Tensor).dispose();
    assert(profile.kernelNames.includes("CourseRMSNormGrad"), `[${shape}]: kernels not used`);
  }
  assertEquals(tf.memory().numTensors, before);
});
