import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "../../assert.ts";
import { initCourse } from "../../../src/mod.ts";
import {
  fastMatMulRegistered,
  registerFastMatMul,
  unregisterFastMatMul,
} from "../../../src/engine/wasm/matmul.ts";

await initCourse();

type Case = { a: number[]; b: number[]; ta: boolean; tb: boolean };

/**
 * Every layout the course's models use, plus broadcasting, odd sizes and size-1 dimensions.
 * `a` and `b` are the shapes of the product's operands, (…, M, K) and (…, K, N); a transposed
 * operand is stored with its last two axes swapped.
 */
const CASES: Case[] = [];
for (const [ta, tb] of [[false, false], [false, true], [true, false], [true, true]]) {
  CASES.push(
    { a: [7, 5], b: [5, 3], ta, tb }, // 2-D, smaller than one tile (plain: few rows, XNNPACK)
    { a: [1, 1], b: [1, 1], ta, tb }, // size-1 everything
    { a: [19, 17], b: [17, 21], ta, tb }, // several tiles, partial ones at both edges
    { a: [4, 6, 5], b: [4, 5, 3], ta, tb }, // batch against batch
    { a: [4, 6, 5], b: [5, 3], ta, tb }, // batch against one matrix: folded into rows
    { a: [6, 5], b: [4, 5, 3], ta, tb }, // one matrix against a batch
    { a: [6, 5], b: [1, 5, 3], ta, tb }, // one matrix against a batch of one: (1, 6, 3)
    { a: [2, 3, 6, 5], b: [2, 3, 5, 7], ta, tb }, // (B, H, T, d) attention shapes
    { a: [2, 1, 6, 5], b: [1, 3, 5, 7], ta, tb }, // broadcast batch dimensions
    { a: [3, 1, 5], b: [3, 5, 1], ta, tb }, // M = 1, N = 1
    { a: [2, 3, 24, 20], b: [2, 3, 20, 24], ta, tb }, // batched matrices of several tiles
  );
}

const label = (c: Case) => `a [${c.a}] b [${c.b}] transposeA=${c.ta} transposeB=${c.tb}`;
const size = (shape: number[]) => shape.reduce((x, y) => x * y, 1);

/** The operands' values as stored (transposed ones with their last two axes swapped). */
function operands(c: Case): { a: number[]; b: number[] } {
  return {
    a: Array.from({ length: size(c.a) }, (_, i) => Math.fround(Math.sin(i * 1.3))),
    b: Array.from({ length: size(c.b) }, (_, i) => Math.fround(Math.cos(i * 0.7))),
  };
}

/** `tf.matMul` of a case with whichever kernel is registered. */
function product(c: Case): { shape: number[]; values: Float32Array } {
  return tf.tidy(() => {
    const { a, b } = operands(c);
    const stored = (shape: number[], t: boolean) =>
      t ? [...shape.slice(0, -2), shape.at(-1)!, shape.at(-2)!] : shape;
    const out = tf.matMul(
      tf.tensor(a, stored(c.a, c.ta)),
      tf.tensor(b, stored(c.b, c.tb)),
      c.ta,
      c.tb,
    );
    return { shape: out.shape, values: out.dataSync() as Float32Array };
  });
}

/** Sizes of a case: M, K, N, the output shape and, per output matrix, the matrices of A and B it reads. */
function layout(c: Case) {
  const [M, K, N] = [c.a.at(-2)!, c.a.at(-1)!, c.b.at(-1)!];
  const rank = Math.max(c.a.length, c.b.length) - 2;
  const padded = (s: number[]) => [...new Array(rank - (s.length - 2)).fill(1), ...s.slice(0, -2)];
  const [batchA, batchB] = [padded(c.a), padded(c.b)];
  const outBatch = batchA.map((d, i) => Math.max(d, batchB[i]));
  const pick = (own: number[], o: number) => {
    let [index, rest, stride] = [0, o, 1];
    for (let axis = rank - 1; axis >= 0; axis--) {
      const coordinate = rest % outBatch[axis];
      rest = Math.floor(rest / outBatch[axis]);
      if (own[axis] !== 1) index += coordinate * stride;
      stride *= own[axis];
    }
    return index;
  };
  return {
    M,
    K,
    N,
    outShape: [...outBatch, M, N],
    pairs: Array.from({ length: size(outBatch) }, (_, o) => [pick(batchA, o), pick(batchB, o)]),
  };
}

Deno.test("fast wasm matMul agrees with a float64 product on every layout, to float32 rounding", () => {
  assert(fastMatMulRegistered());
  for (const c of CASES) {
    const fast = product(c);
    const { a, b } = operands(c);
    const { M, K, N, outShape, pairs } = layout(c);
    assertEquals(fast.shape, outShape, label(c));
    pairs.forEach(([ia, ib], o) => {
      for (let m = 0; m < M; m++) {
        for (let n = 0; n < N; n++) {
          let exact = 0;
          let magnitude = 0;
          for (let k = 0; k < K; k++) {
            const x = a[ia * M * K + (c.ta ? k * M + m : m * K + k)];
            const y = b[ib * K * N + (c.tb ? n * K + k : k * N + n)];
            exact += x * y;
            magnitude += Math.abs(x * y);
          }
          const got = fast.values[(o * M + m) * N + n];
          // A float32 sum of K products is within (K + 1)·2⁻²⁴ of the exact one, relative to Σ|xy|.
          const bound = (K + 1) * 2 ** -24 * magnitude;
          assert(
            Math.abs(got - exact) <= bound,
            `${label(c)} [${o}, ${m}, ${n}]: ${got} vs ${exact} (bound ${bound})`,
          );
        }
      }
    });
  }
});

Deno.test("without fused multiply-adds the kernel equals the original's plain product bit for bit", () => {
  unregisterFastMatMul();
  registerFastMatMul({ fused: false });
  const unfused = CASES.map(product);
  unregisterFastMatMul();
  try {
    // The reference: the original kernel's fast path, one plain 2-D product per output matrix
    // with any transpose made first (its other paths sum in another order).
    CASES.forEach((c, index) => {
      const { M, K, N, pairs } = layout(c);
      const { a, b } = operands(c);
      const reference = tf.tidy(() => {
        const matrices = pairs.map(([ia, ib]) => {
          let x = tf.tensor2d(a.slice(ia * M * K, (ia + 1) * M * K), c.ta ? [K, M] : [M, K]);
          let y = tf.tensor2d(b.slice(ib * K * N, (ib + 1) * K * N), c.tb ? [N, K] : [K, N]);
          if (c.ta) x = x.transpose();
          if (c.tb) y = y.transpose();
          return tf.matMul(x, y).reshape([-1]);
        });
        return tf.concat(matrices).dataSync() as Float32Array;
      });
      assertEquals(Array.from(unfused[index].values), Array.from(reference), label(c));
    });
  } finally {
    registerFastMatMul();
  }
  assert(fastMatMulRegistered());
});

Deno.test("fast wasm matMul: an empty inner dimension gives zeros; int32 operands are refused", () => {
  const zeros = tf.tidy(() => tf.matMul(tf.zeros([3, 0]), tf.zeros([0, 2])).dataSync());
  assertEquals(Array.from(zeros), [0, 0, 0, 0, 0, 0]);
  let message = "";
  try {
    tf.tidy(() => tf.matMul(tf.ones([2, 2], "int32"), tf.ones([2, 2], "int32")));
  } catch (error) {
    message = (error as Error).message;
  }
  assert(message.includes("float32"), message);
});

Deno.test("fast wasm matMul: gradients equal the cpu backend's, and no tensors are left behind", () => {
  const before = tf.memory().numTensors;
  const grads = (backend: string) =>
    tf.tidy(() => {
      tf.setBackend(backend);
      const values = (f: (i: number) => number) =>
        Array.from({ length: 2 * 3 * 4 * 5 }, (_, i) => f(i));
      const q = tf.tensor4d(values(Math.sin), [2, 3, 4, 5]);
      const k = tf.tensor4d(values(Math.cos), [2, 3, 4, 5]);
      const [gq, gk] = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
        tf.matMul(x, y, false, true).square().sum()
      )([q, k]);
      const out = [Array.from(gq.dataSync()), Array.from(gk.dataSync())];
      tf.setBackend("wasm");
      return out;
    });
  const [wasm, cpu] = [grads("wasm"), grads("cpu")];
  wasm.flat().forEach((g, i) =>
    assert(
      Math.abs(g - cpu.flat()[i]) <= 1e-4 * (1 + Math.abs(g)),
      `gradient ${i}: ${g} vs ${cpu.flat()[i]}`,
    )
  );
  assertEquals(tf.memory().numTensors, before);
});
