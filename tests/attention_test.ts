import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "./assert.ts";
import { gradCheck } from "./gradcheck.ts";
import {
  causalMask,
  DecoderBlock,
  EncoderBlock,
  FeedForward,
  initCourse,
  LayerNorm,
  layerNorm,
  layerNormFormula,
  MultiHeadAttention,
  paddingMask,
  rng,
  scaledDotProductAttention,
  setSeed,
} from "../src/mod.ts";

await initCourse();

/** The seed's embeddings of "How", "Are", "You" (d_model = 4). */
const HOW_ARE_YOU = [[0.8, -1.8, 0.6, -0.5], [-1.6, 1.3, -1.9, 0.4], [-0.3, 0.7, -1.4, -0.9]];

const random = (shape: number[]) => tf.randomNormal(shape, 0, 1, "float32", rng.tfSeed());

function maxDifference(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(a.sub(b))).dataSync()[0]);
}

Deno.test("softmax of [2, 1, 0] is [0.665, 0.245, 0.090]", () => {
  const p = tf.tidy(() => Array.from(tf.softmax(tf.tensor1d([2, 1, 0])).dataSync()));
  assertEquals(p.map((x) => Number(x.toFixed(3))), [0.665, 0.245, 0.09]);
});

Deno.test("attention on How/Are/You with Q = K = V = X matches a plain-loop computation", () => {
  // Reference with loops: scores = X·Xᵀ/√4, softmax by rows, output = weights · X.
  const X = HOW_ARE_YOU;
  const scores = X.map((q) => X.map((k) => q.reduce((s, v, i) => s + v * k[i], 0) / 2));
  assertAlmostEquals(scores[0][0], (0.64 + 3.24 + 0.36 + 0.25) / 2, 1e-12); // 2.245 by hand
  const weights = scores.map((row) => {
    const e = row.map((s) => Math.exp(s - Math.max(...row)));
    return e.map((x) => x / e.reduce((a, b) => a + b, 0));
  });
  const outputs = weights.map((w) =>
    X[0].map((_, c) => w.reduce((s, wk, k) => s + wk * X[k][c], 0))
  );
  const result = tf.tidy(() => {
    const x = tf.tensor2d(X);
    const { output, weights } = scaledDotProductAttention(x, x, x);
    return { output: output.arraySync() as number[][], weights: weights.arraySync() as number[][] };
  });
  result.weights.forEach((row, i) =>
    row.forEach((w, j) => assertAlmostEquals(w, weights[i][j], 1e-6))
  );
  result.output.forEach((row, i) =>
    row.forEach((o, c) => assertAlmostEquals(o, outputs[i][c], 1e-5))
  );
});

Deno.test("attention weights: rows sum to 1, masked positions exactly 0", () => {
  const before = tf.memory().numTensors;
  const [sums, upper] = tf.tidy(() => {
    const q = random([2, 5, 4]), k = random([2, 5, 4]), v = random([2, 5, 3]);
    const { weights } = scaledDotProductAttention(q, k, v, causalMask(5));
    const w = weights.arraySync() as number[][][];
    return [
      w.flat().map((row) => row.reduce((a, b) => a + b, 0)),
      w.flatMap((m) => m.flatMap((row, i) => row.slice(i + 1))),
    ];
  });
  sums.forEach((s) => assertAlmostEquals(s, 1, 1e-5));
  assertEquals(upper.length, 2 * 10);
  assert(upper.every((w) => w === 0), `weights above the diagonal: ${upper}`);
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("mask helpers: known values, and no tensors left behind", () => {
  const before = tf.memory().numTensors;
  const causal = causalMask(3);
  const padding = paddingMask([[4, 2, 0], [0, 0, 0]], 0);
  assertEquals(causal.arraySync(), [[1, 0, 0], [1, 1, 0], [1, 1, 1]]);
  assertEquals(padding.arraySync(), [[[1, 1, 0]], [[0, 0, 0]]]);
  tf.dispose([causal, padding]);
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("causal multi-head attention: changing token j never changes the output at i < j", () => {
  setSeed(11);
  const mha = new MultiHeadAttention(8, 2);
  const diffs = tf.tidy(() => {
    const x = random([1, 6, 8]);
    const changed = tf.concat([x.slice([0, 0, 0], [1, 4, 8]), random([1, 2, 8])], 1); // tokens 4, 5 replaced
    const mask = causalMask(6);
    const a = mha.apply(x as tf.Tensor3D, x as tf.Tensor3D, mask).output;
    const b = mha.apply(changed as tf.Tensor3D, changed as tf.Tensor3D, mask).output;
    return Array.from(
      { length: 6 },
      (_, i) => maxDifference(a.slice([0, i, 0], [1, 1, 8]), b.slice([0, i, 0], [1, 1, 8])),
    );
  });
  assert(diffs.slice(0, 4).every((d) => d === 0), `outputs before the change moved: ${diffs}`);
  assert(diffs[4] > 1e-3 && diffs[5] > 1e-3, `outputs after the change did not move: ${diffs}`);
  mha.dispose();
});

Deno.test("self-attention without positions is permutation-equivariant", () => {
  setSeed(12);
  const mha = new MultiHeadAttention(8, 4);
  const difference = tf.tidy(() => {
    const x = random([1, 5, 8]) as tf.Tensor3D;
    const order = tf.tensor1d([3, 0, 4, 1, 2], "int32");
    const permutedInput = tf.gather(x, order, 1) as tf.Tensor3D;
    const outputOfPermuted = mha.apply(permutedInput).output;
    const permutedOutput = tf.gather(mha.apply(x).output, order, 1);
    return maxDifference(outputOfPermuted, permutedOutput);
  });
  assert(difference < 1e-5, `difference ${difference}`);
  mha.dispose();
});

Deno.test("multi-head attention: a loop over heads equals the batched implementation", () => {
  setSeed(13);
  const [C, H] = [12, 3];
  const mha = new MultiHeadAttention(C, H);
  const d = C / H;
  const difference = tf.tidy(() => {
    const x = random([2, 4, C]) as tf.Tensor3D;
    const project = (w: tf.Tensor, b: tf.Tensor, h: number) =>
      x.reshape([-1, C]).matMul(w.slice([0, h * d], [C, d])).add(b.slice([h * d], [d])).reshape([
        2,
        4,
        d,
      ]);
    const heads = Array.from({ length: H }, (_, h) => {
      const q = project(mha.query.weight, mha.query.bias!, h);
      const k = project(mha.key.weight, mha.key.bias!, h);
      const v = project(mha.value.weight, mha.value.bias!, h);
      return scaledDotProductAttention(q, k, v).output; // (2, 4, d)
    });
    const looped = mha.output.apply(tf.concat(heads, 2));
    return maxDifference(looped, mha.apply(x).output);
  });
  assert(difference < 1e-5, `difference ${difference}`);
  mha.dispose();
});

Deno.test("cross-attention: queries and keys of different lengths; padding never changes real outputs", () => {
  setSeed(14);
  const mha = new MultiHeadAttention(8, 2);
  const result = tf.tidy(() => {
    const target = random([2, 3, 8]) as tf.Tensor3D;
    const source = random([2, 5, 8]) as tf.Tensor3D;
    const ids = [[5, 6, 7, 0, 0], [5, 6, 7, 8, 9]]; // sequence 0 has 2 padding tokens (id 0)
    const mask = paddingMask(ids, 0).expandDims(1); // (B, 1, 1, Ts)
    const { output, weights } = mha.apply(target, source, mask);
    // Replace the padded source vectors: the outputs must not move.
    const noisy = tf.concat([source.slice([0, 0, 0], [1, 3, 8]), random([1, 2, 8]).mul(100)], 1);
    const source2 = tf.concat([noisy, source.slice([1, 0, 0], [1, 5, 8])], 0) as tf.Tensor3D;
    const again = mha.apply(target, source2, mask).output;
    const padWeights = (weights.arraySync() as number[][][][])[0].flatMap((head) =>
      head.flatMap((row) => row.slice(3))
    );
    return {
      shape: output.shape,
      weightShape: weights.shape,
      difference: maxDifference(output, again),
      padWeights,
    };
  });
  assertEquals(result.shape, [2, 3, 8]);
  assertEquals(result.weightShape, [2, 2, 3, 5]);
  assert(result.padWeights.every((w) => w === 0));
  assertEquals(result.difference, 0);
  mha.dispose();
});

Deno.test("LayerNorm: rows get mean 0 and variance 1, then gain and bias; known values", () => {
  const ln = new LayerNorm(4);
  const [rows, known] = tf.tidy(() => {
    const y = ln.apply(random([3, 7, 4]).mul(5).add(3));
    return [
      y.reshape([-1, 4]).arraySync() as number[][],
      Array.from(ln.apply(tf.tensor1d([1, 2, 3, 4])).dataSync()),
    ];
  });
  for (const row of rows) {
    const mean = row.reduce((a, b) => a + b) / 4;
    assertAlmostEquals(mean, 0, 1e-5);
    assertAlmostEquals(row.reduce((a, b) => a + (b - mean) ** 2, 0) / 4, 1, 1e-3);
  }
  // (x − 2.5) / √1.25: ±1.3416, ±0.4472
  [-1.3416, -0.4472, 0.4472, 1.3416].forEach((v, i) => assertAlmostEquals(known[i], v, 1e-3));
  ln.gain.assign(tf.tensor1d([2, 2, 2, 2]));
  ln.bias.assign(tf.tensor1d([1, 1, 1, 1]));
  const scaled = tf.tidy(() => Array.from(ln.apply(tf.tensor1d([1, 2, 3, 4])).dataSync()));
  assertAlmostEquals(scaled[0], 1 - 2 * 1.3416, 1e-3);
  ln.dispose();
});

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

Deno.test("blocks: shapes, parameter counts, post-norm output normalised, memory flat", () => {
  setSeed(16);
  const before = tf.memory().numTensors;
  const [C, dFF] = [8, 32];
  const encoder = new EncoderBlock({ dModel: C, numHeads: 2, dFF, norm: "post" });
  const decoder = new DecoderBlock({ dModel: C, numHeads: 2, dFF });
  const mha = 4 * (C * C + C);
  const ffn = C * dFF + dFF + dFF * C + C;
  assertEquals(encoder.parameterCount(), mha + ffn + 2 * 2 * C);
  assertEquals(decoder.parameterCount(), 2 * mha + ffn + 3 * 2 * C);
  assert([...decoder.parameters().keys()].includes("crossAttention.query.weight"));
  const afterBuild = tf.memory().numTensors;
  const out = tf.tidy(() => {
    const x = random([2, 5, C]) as tf.Tensor3D;
    const memory = random([2, 7, C]) as tf.Tensor3D;
    const e = encoder.apply(x, paddingMask([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], 0).expandDims(1));
    const d = decoder.apply(x, memory, { self: causalMask(5) });
    const rows = e.output.reshape([-1, C]).arraySync() as number[][];
    return {
      e: e.output.shape,
      ew: e.weights.shape,
      d: d.output.shape,
      cw: d.crossWeights.shape,
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

Deno.test("configurations and shapes are checked, with messages that say what was expected", () => {
  assertThrows(
    () => new MultiHeadAttention(10, 3),
    /dModel \(10\) must be divisible by numHeads \(3\)/,
  );
  assertThrows(
    () => new EncoderBlock({ dModel: 8, numHeads: 2, norm: "middle" as "pre" }),
    /norm must be "pre" or "post", got "middle"/,
  );
  assertThrows(
    () => new EncoderBlock({ dModel: 8, numHeads: 0 }),
    /numHeads must be a positive integer, got 0/,
  );
  const mha = new MultiHeadAttention(8, 2);
  tf.tidy(() => {
    assertThrows(
      () => mha.apply(random([1, 4, 6]) as tf.Tensor3D),
      /x must have shape \(B, T, 8\), got \[1,4,6\]/,
    );
    assertThrows(
      () => mha.apply(random([1, 4, 8]) as tf.Tensor3D, undefined, causalMask(5)),
      /mask of shape \[5,5\] does not broadcast to the attention scores' shape \[1,2,4,4\]/,
    );
    assertThrows(
      () => scaledDotProductAttention(random([3, 4]), random([3, 5]), random([3, 5])),
      /same last dimension/,
    );
  });
  mha.dispose();
});
