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

/** A norm as a function of its inputs: `x`, then its vectors (gain, bias), ε fixed. */
type NormOf = (inputs: tf.Tensor[]) => tf.Tensor;

/**
 * Check a norm's kernels against its formula: the value and the gradient of every input, at
 * widths that are and are not multiples of the kernels' 4 lanes, and an empty batch. `vectors`
 * is how many (C)-vectors it takes; `gradKernel` must show up in the profile; dx is bounded
 * relative to `dxTerms(x, gain, weights)` too (the size of terms that cancel in it), if given.
 */
async function checkKernels(
  fast: NormOf,
  formula: NormOf,
  vectors: number,
  gradKernel: string,
  dxTerms?: (x: tf.Tensor, gain: tf.Tensor, weights: tf.Tensor) => number,
): Promise<void> {
  const before = tf.memory().numTensors;
  for (const shape of [[2, 3, 6], [4, 5], [3, 1], [2, 4], [7, 3], [2, 2, 128], [0, 8]]) {
    const C = shape[shape.length - 1];
    const profile = await tf.profile(() =>
      tf.tidy(() => {
        const x = random(shape).mul(3).add(1);
        const [gain, ...rest] = Array.from({ length: vectors }, (_, i) =>
          i === 0 ? random([C]).add(1) : random([C]));
        const inputs = [x, gain, ...rest];
        const weights = random(shape); // a loss that weighs every output differently
        const run = (f: NormOf) => [
          f(inputs),
          ...tf.grads((...args: tf.Tensor[]) =>
            f(args).mul(weights).sum()
          )(inputs),
        ];
        const [ours, reference] = [run(fast), run(formula)];
        const terms = dxTerms === undefined || x.size === 0 ? 0 : dxTerms(x, gain, weights);
        ours.forEach((t, i) => {
          const name = ["y", "dx", "dgain", "dbias"][i];
          assertEquals(t.shape, reference[i].shape);
          const size = reference[i].size === 0 ? 0 : reference[i].abs().max().dataSync()[0];
          const scale = 1 + (name === "dx" ? Math.max(size, terms) : size);
          const gap = reference[i].size === 0 ? 0 : t.sub(reference[i]).abs().max().dataSync()[0];
          assert(gap < 2e-6 * scale, `[${shape}] ${name}: off by ${gap} (scale ${scale})`);
        });
        return tf.scalar(0);
      })
    );
    (profile.result as tf.Tensor).dispose();
    assert(profile.kernelNames.includes(gradKernel), `[${shape}]: kernels not used`);
  }
  assertEquals(tf.memory().numTensors, before);
}

Deno.test("LayerNorm's kernels equal its formula in tensor operations: values and all gradients, any width", async () => {
  setSeed(16);
  await checkKernels(
    ([x, gain, bias]) => layerNorm(x, gain, bias, 1e-5),
    ([x, gain, bias]) => layerNormFormula(x, gain, bias, 1e-5),
    2,
    "CourseLayerNormGrad",
  );
});

Deno.test("RMSNorm's kernels equal its formula in tensor operations: values and both gradients, any width", async () => {
  setSeed(17);
  await checkKernels(
    ([x, gain]) => rmsNorm(x, gain, 1e-5),
    ([x, gain]) => rmsNormFormula(x, gain, 1e-5),
    1,
    "CourseRMSNormGrad",
    // dx = (g − x̂ mean(g x̂)) / σ is a difference of terms of size |g| / σ that nearly cancel
    // where a row has few numbers (one number: x̂ = ±1 and dx ≈ 0).
    (x, gain, weights) =>
      tf.tidy(() =>
        weights.mul(gain).abs().max().mul(x.square().mean(-1).add(1e-5).rsqrt().max())
          .dataSync()[0]
      ),
  );
});
