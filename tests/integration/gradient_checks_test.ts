import * as tf from "@tensorflow/tfjs";
import { assert } from "../assert.ts";
import { gradCheck } from "../gradcheck.ts";
import {
  causalMask,
  FeedForward,
  initCourse,
  LayerNorm,
  layerNorm,
  RMSNorm,
  rmsNorm,
  RotaryPositions,
  scaledDotProductAttention,
  setSeed,
  SwiGLU,
} from "../../src/mod.ts";
import { random } from "../fixtures.ts";

await initCourse();

Deno.test("gradient checks against central finite differences: attention, LayerNorm, FFN", () => {
  setSeed(15);
  const weights = (shape: number[]) => random(shape);
  const tolerance = 2e-2;
  const check = (name: string, f: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor, h?: number) => {
    const { worst, checked } = gradCheck(f, x, h);
    assert(worst < tolerance, `${name}: worst relative error ${worst} over ${checked} entries`);
  };
  tf.tidy(() => {
    const q = random([2, 3, 4]), k = random([2, 3, 4]), v = random([2, 3, 4]);
    const r = weights([2, 3, 4]);
    const mask = causalMask(3);
    check("attention / q", (x) => scaledDotProductAttention(x, k, v, mask).output.mul(r).sum(), q);
    check("attention / k", (x) => scaledDotProductAttention(q, x, v).output.mul(r).sum(), k);
    check("attention / v", (x) => scaledDotProductAttention(q, k, x, mask).output.mul(r).sum(), v);
  });
  const ln = new LayerNorm(5);
  tf.tidy(() => {
    const r = weights([3, 5]);
    // A wider step for LayerNorm: its float32 sums leave ~1e-7 of noise in the loss, which the
    // difference quotient divides by 2h; at h = 0.03 that stays below 1e-5, and so does the
    // h² error of this smooth function.
    const h = 3e-2;
    check("LayerNorm / x", (x) => ln.apply(x).mul(r).sum(), random([3, 5]), h);
    const x = random([3, 5]);
    check("LayerNorm / gain", (g) => layerNorm(x, g, ln.bias, 1e-5).mul(r).sum(), random([5]), h);
    check("LayerNorm / bias", (b) => layerNorm(x, ln.gain, b, 1e-5).mul(r).sum(), random([5]), h);
  });
  const ffn = new FeedForward(4, 8, "gelu", { initStd: 0.5 });
  tf.tidy(() => {
    const r = weights([3, 4]);
    check("FFN (GELU) / x", (x) => ffn.apply(x).mul(r).sum(), random([3, 4]));
  });
  ln.dispose();
  ffn.dispose();
});

Deno.test("gradient checks of the modern parts: RMSNorm (kernel), SwiGLU, rotary positions", () => {
  setSeed(16);
  const tolerance = 2e-2;
  const check = (name: string, f: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor, h?: number) => {
    const { worst, checked } = gradCheck(f, x, h);
    assert(worst < tolerance, `${name}: worst relative error ${worst} over ${checked} entries`);
  };
  const norm = new RMSNorm(5);
  const swiglu = new SwiGLU(4, 6, { bias: false, initStd: 0.5 });
  const rope = new RotaryPositions(4);
  tf.tidy(() => {
    const r = random([3, 5]);
    const h = 3e-2; // as for LayerNorm: float32 sums leave noise that a small step magnifies
    check("RMSNorm / x", (x) => norm.apply(x).mul(r).sum(), random([3, 5]), h);
    const x = random([3, 5]);
    check("RMSNorm / gain", (g) => rmsNorm(x, g, 1e-5).mul(r).sum(), random([5]), h);
    const r4 = random([3, 4]);
    check("SwiGLU / x", (x) => swiglu.apply(x).mul(r4).sum(), random([3, 4]));
    const rq = random([1, 2, 3, 4]);
    check("RoPE / x", (x) => rope.apply(x as tf.Tensor4D, 5).mul(rq).sum(), random([1, 2, 3, 4]));
  });
  norm.dispose();
  swiglu.dispose();
});

Deno.test("the gradient check itself notices a wrong gradient", () => {
  tf.tidy(() => {
    // d/dx Σ x² is 2x; this op claims 3x.
    const wrong = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const x = args[0] as tf.Tensor;
      (args[1] as tf.GradSaveFunc)([x]);
      return {
        value: x.square().sum(),
        gradFunc: (dy: tf.Tensor, [s]: tf.Tensor[]) => dy.mul(s).mul(3),
      };
    });
    const x = random([2, 3]);
    assert(gradCheck((t) => wrong(t) as tf.Scalar, x).worst > 0.3);
    assert(gradCheck((t) => t.square().sum(), x).worst < 2e-2);
  });
});
