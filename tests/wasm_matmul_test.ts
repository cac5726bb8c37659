import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "./assert.ts";
import {
  fastMatMulRegistered,
  initCourse,
  registerFastMatMul,
  SMALL_PRODUCT,
  unregisterFastMatMul,
} from "../src/mod.ts";

await initCourse();

/** Every layout the course's models use, plus broadcasting, odd sizes and size-1 dimensions. */
const CASES: { a: number[]; b: number[]; ta: boolean; tb: boolean }[] = [];
for (const [ta, tb] of [[false, false], [false, true], [true, false], [true, true]]) {
  CASES.push(
    { a: [7, 5], b: [5, 3], ta, tb }, // 2-D, odd sizes
    { a: [1, 1], b: [1, 1], ta, tb }, // size-1 everything
    { a: [4, 6, 5], b: [4, 5, 3], ta, tb }, // batch against batch
    { a: [4, 6, 5], b: [5, 3], ta, tb }, // batch against one matrix: folded into rows
    { a: [6, 5], b: [4, 5, 3], ta, tb }, // one matrix against a batch
    { a: [2, 3, 6, 5], b: [2, 3, 5, 7], ta, tb }, // (B, H, T, d) attention shapes
    { a: [2, 1, 6, 5], b: [1, 3, 5, 7], ta, tb }, // broadcast batch dimensions
    { a: [3, 1, 5], b: [3, 5, 1], ta, tb }, // M = 1, N = 1
    { a: [2, 3, 24, 20], b: [2, 3, 20, 24], ta, tb }, // batched matrices too big for the loop
  );
}

/** `tile`: first repeat both operands' batches to the full broadcast batch (a reference for cases the original kernel cannot broadcast). */
function product(
  c: (typeof CASES)[number],
  tile = false,
): { shape: number[]; values: Float32Array } {
  return tf.tidy(() => {
    const shapeA = c.ta ? [...c.a.slice(0, -2), c.a.at(-1)!, c.a.at(-2)!] : c.a;
    const shapeB = c.tb ? [...c.b.slice(0, -2), c.b.at(-1)!, c.b.at(-2)!] : c.b;
    const size = (s: number[]) => s.reduce((x, y) => x * y, 1);
    const a = tf.tensor(Array.from({ length: size(shapeA) }, (_, i) => Math.sin(i * 1.3)), shapeA);
    const b = tf.tensor(Array.from({ length: size(shapeB) }, (_, i) => Math.cos(i * 0.7)), shapeB);
    const full = (t: tf.Tensor, other: tf.Tensor) =>
      t.tile(t.shape.map((d, i) => (i < t.rank - 2 && d === 1 ? other.shape[i] : 1)));
    const out = tile ? tf.matMul(full(a, b), full(b, a), c.ta, c.tb) : tf.matMul(a, b, c.ta, c.tb);
    return { shape: out.shape, values: out.dataSync() as Float32Array };
  });
}

Deno.test("fast wasm matMul equals the original kernel on every layout (exactly, but for tiny batched matrices)", () => {
  assert(fastMatMulRegistered());
  const fast = CASES.map((c) => product(c));
  // The original kernel (and the cpu backend) broadcast batches only when one side has a single
  // matrix or both the same number; for [2, 1] with [1, 3] the reference tiles the inputs first.
  const general = (c: (typeof CASES)[number]) =>
    c.a.length === c.b.length && c.a.length > 2 && c.a.slice(0, -2).some((d, i) => d !== c.b[i]) &&
    c.a.slice(0, -2).reduce((x, y) => x * y) > 1 && c.b.slice(0, -2).reduce((x, y) => x * y) > 1;
  unregisterFastMatMul();
  try {
    const reference = CASES.map((c) => product(c, general(c)));
    CASES.forEach((c, i) => {
      const label = `a [${c.a}] b [${c.b}] transposeA=${c.ta} transposeB=${c.tb}`;
      assertEquals(fast[i].shape, reference[i].shape, label);
      const batched = c.b.length > 2 && c.b.slice(0, -2).reduce((x, y) => x * y) > 1;
      const [M, K] = c.ta ? [c.a.at(-1)!, c.a.at(-2)!] : [c.a.at(-2)!, c.a.at(-1)!];
      const N = c.tb ? c.b.at(-2)! : c.b.at(-1)!;
      if (batched && M * K * N <= SMALL_PRODUCT) {
        // Tiny batched matrices are summed in float64 in JavaScript: equal up to float32 rounding.
        fast[i].values.forEach((v, j) =>
          assert(
            Math.abs(v - reference[i].values[j]) <= 1e-6 * (1 + Math.abs(v)),
            `${label}: ${v} vs ${reference[i].values[j]}`,
          )
        );
      } else {
        // Bit for bit: the fast path computes every product with the original kernel's own 2-D path.
        assertEquals(Array.from(fast[i].values), Array.from(reference[i].values), label);
      }
    });
  } finally {
    registerFastMatMul();
  }
});

Deno.test("fast wasm matMul: gradients equal the cpu backend's, and no tensors are left behind", () => {
  const before = tf.memory().numTensors;
  const grads = (backend: string) =>
    tf.tidy(() => {
      tf.setBackend(backend);
      const q = tf.tensor4d(Array.from({ length: 2 * 3 * 4 * 5 }, (_, i) => Math.sin(i)), [
        2,
        3,
        4,
        5,
      ]);
      const k = tf.tensor4d(Array.from({ length: 2 * 3 * 4 * 5 }, (_, i) => Math.cos(i)), [
        2,
        3,
        4,
        5,
      ]);
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
