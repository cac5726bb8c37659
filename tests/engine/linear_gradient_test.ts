import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "../assert.ts";
import { gradCheck } from "../gradcheck.ts";
import { fastLinear } from "../../src/engine/linear_gradient.ts";
import { registerFastMatMul, unregisterFastMatMul } from "../../src/engine/wasm/matmul.ts";
import { initCourse, Linear, LowRankAdapter, setSeed } from "../../src/mod.ts";

await initCourse();

/** The formula TensorFlow.js differentiates step by step: fold into rows, multiply, add, unfold. */
function formula(x: tf.Tensor, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor {
  const [inFeatures, outFeatures] = w.shape;
  const y = x.reshape([-1, inFeatures]).matMul(w).add(b);
  return y.reshape([...x.shape.slice(0, -1), outFeatures]);
}

/**
 * A loss that uses `x` in three linear layers (as queries, keys and values do), so its gradient
 * is a sum of three; its value, the gradients of x, the first W and b, and the kernel calls.
 */
async function lossAndGradients(
  linear: (x: tf.Tensor, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor,
  shape: number[],
) {
  const width = shape.at(-1)!;
  const x = tf.randomNormal(shape, 0, 1, "float32", 1);
  const ws = [2, 3, 4].map((seed) =>
    tf.randomNormal([width, 5], 0, 1, "float32", seed) as tf.Tensor2D
  );
  const b = tf.randomNormal([5], 0, 1, "float32", 5) as tf.Tensor1D;
  try {
    const before = tf.memory().numTensors;
    let numbers: number[][] = [];
    const profile = await tf.profile(() => {
      numbers = tf.tidy(() => {
        const f = (xIn: tf.Tensor, w0: tf.Tensor, bIn: tf.Tensor) =>
          ws.map((w, i) => linear(xIn, i === 0 ? w0 as tf.Tensor2D : w, bIn as tf.Tensor1D).tanh())
            .reduce((s, t) => s.add(t)).sum() as tf.Scalar;
        const { value, grads } = tf.valueAndGrads(f)([x, ws[0], b]);
        return [[value.dataSync()[0]], ...grads.map((g) => Array.from(g.dataSync()))];
      });
    });
    assertEquals(tf.memory().numTensors, before, "no tensors left behind");
    return { numbers, calls: profile.kernels.map((k) => k.name) };
  } finally {
    tf.dispose([x, ...ws, b]);
  }
}

/** Shapes of x: rows, batches of rows, few rows and many, and inputs wider than 48. */
const SHAPES = [[7, 6], [2, 3, 6], [2, 2, 3, 6], [4, 10, 6], [40, 6], [4, 10, 100], [3, 130]];

for (const backend of ["wasm", "cpu"] as const) {
  Deno.test(`fastLinear (${backend}): value and gradients equal the formula's bit for bit, in fewer calls`, async () => {
    await initCourse({ backend });
    try {
      for (const shape of SHAPES) {
        const fast = await lossAndGradients((x, w, b) => fastLinear(x, w, b)!, shape);
        const slow = await lossAndGradients(formula, shape);
        assertEquals(fast.numbers, slow.numbers, `[${shape}]: value, dx, dW, db`);
        assert(fast.calls.length < slow.calls.length, `[${shape}]: ${fast.calls.length} calls`);
      }
    } finally {
      await initCourse();
    }
  });
}

Deno.test("fastLinear: left to the formula on wasm without the course's matrix product", () => {
  unregisterFastMatMul();
  try {
    tf.tidy(() => {
      assertEquals(fastLinear(tf.ones([2, 3, 4]), tf.ones([4, 5]), tf.zeros([5])), undefined);
    });
  } finally {
    registerFastMatMul();
  }
  tf.tidy(() => assert(fastLinear(tf.ones([2, 3, 4]), tf.ones([4, 5]), tf.zeros([5]))));
});

Deno.test("fastLinear: gradients agree with finite differences", () => {
  const w = tf.randomNormal([4, 3], 0, 1, "float32", 7) as tf.Tensor2D;
  const b = tf.randomNormal([3], 0, 1, "float32", 8) as tf.Tensor1D;
  const x = tf.randomNormal([2, 2, 4], 0, 1, "float32", 9);
  try {
    const loss = (t: tf.Tensor) => fastLinear(t, w, b)!.square().sum() as tf.Scalar;
    assert(gradCheck(loss, x).worst < 2e-2, "dx");
    const byWeight = (t: tf.Tensor) => fastLinear(x, t, b)!.square().sum() as tf.Scalar;
    assert(gradCheck(byWeight, w).worst < 2e-2, "dW");
    const byBias = (t: tf.Tensor) => fastLinear(x, w, t)!.square().sum() as tf.Scalar;
    assert(gradCheck(byBias, b).worst < 2e-2, "db");
  } finally {
    tf.dispose([w, b, x]);
  }
});

Deno.test("fastLinear: other dtypes, ranks and shapes, and frozen weights, are left to the formula", () => {
  tf.tidy(() => {
    const w = tf.ones([2, 2]);
    const b = tf.zeros([2]);
    assertEquals(fastLinear(tf.ones([2]), w, b), undefined, "a vector x");
    assertEquals(fastLinear(tf.ones([1, 2], "int32"), w, b), undefined, "int32");
    assertEquals(fastLinear(tf.ones([1, 2]), w, tf.zeros([1, 2])), undefined, "a 2-D bias");
    assertEquals(fastLinear(tf.ones([1, 3]), w, b), undefined, "x too wide for W");
    assertEquals(fastLinear(tf.ones([1, 2]), w, tf.zeros([3])), undefined, "a bias too long");
    const frozen = tf.variable(tf.ones([2, 2]), false);
    assertEquals(fastLinear(tf.ones([1, 2]), frozen, b), undefined, "a frozen weight");
    assertEquals(fastLinear(tf.ones([1, 2]), w, tf.variable(b, false)), undefined, "a frozen bias");
    frozen.dispose();
  });
});

Deno.test("Linear takes the one-piece gradient with a bias and no adapter, and only then", async () => {
  setSeed(3);
  const layers = [new Linear(6, 4), new Linear(6, 4, { bias: false }), new Linear(6, 4)];
  layers[2].adapter = new LowRankAdapter(6, 4, { rank: 2, alpha: 4 });
  const x = tf.randomNormal([2, 5, 6], 0, 1, "float32", 11);
  try {
    const scopes: number[] = [];
    for (const layer of layers) {
      const profile = await tf.profile(() =>
        tf.tidy(() => {
          const variables = [...layer.parameters().values()];
          const { grads } = tf.variableGrads(
            () => layer.apply(x).square().sum() as tf.Scalar,
            variables,
          );
          Object.values(grads).forEach((g) => g.dataSync());
        })
      );
      scopes.push(profile.kernels.filter((k) => k.name === "unnamed scope").length);
    }
    assertEquals(scopes, [1, 0, 0], "custom-gradient scopes: biased, bias-free, adapted");
  } finally {
    x.dispose();
    layers.forEach((layer) => layer.dispose());
  }
});
