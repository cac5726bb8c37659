/**
 * Fast matrix products on the wasm backend.
 *
 * TensorFlow.js 4.22's wasm `BatchMatMul` is fast in one case only: a single 2-D product
 * `A · B` with neither side transposed (XNNPACK's fully-connected path, ~15–20 GFLOP/s on one
 * core). With `transposeA` or `transposeB`, or with a batch of more than one matrix — exactly
 * what attention and every backward pass need — it falls back to loops 10–20× slower.
 *
 * This replacement kernel sends every product down the fast path:
 * 1. a transposed operand is first transposed for real (the Transpose kernel is cheap);
 * 2. if the right operand is a single matrix shared by the whole batch, the batch is folded
 *    into the rows of the left one: `(B·M, K) · (K, N)`, one big product;
 * 3. otherwise each matrix of the batch is multiplied on its own, copied in and out of the heap
 *    directly — or, when the matrices are tiny (attention over a short word), all of them in
 *    one JavaScript loop, since a kernel call per matrix costs more than the arithmetic.
 *    Batch dimensions broadcast in general (`[2, 1]` with `[1, 3]`), which the original kernel
 *    does not do.
 * Apart from tiny batched matrices it computes with the original kernel, so results are those
 * of the fast path bit for bit; the tiny ones are summed in float64 and rounded once.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

type KernelFunc = (
  args: { inputs: unknown; attrs?: unknown; backend: BackendWasm },
) => tf.TensorInfo;

let original: tf.KernelConfig | undefined;

/** Whether the fast product kernel is in place. */
export function fastMatMulRegistered(): boolean {
  return original !== undefined;
}

/** Replace the wasm BatchMatMul kernel with the fast one (once; later calls do nothing). */
export function registerFastMatMul(): void {
  if (original !== undefined) return;
  const kernel = tf.getKernel(tf.BatchMatMul, "wasm");
  if (kernel === undefined) {
    throw new Error("the wasm backend has no BatchMatMul kernel to replace");
  }
  original = kernel;
  tf.unregisterKernel(tf.BatchMatMul, "wasm");
  tf.registerKernel({
    kernelName: tf.BatchMatMul,
    backendName: "wasm",
    kernelFunc: fastBatchMatMul as tf.KernelFunc,
    setupFunc: kernel.setupFunc, // binds the original's wasm entry point when the backend starts
  });
}

/** Put the original wasm BatchMatMul kernel back (for comparisons). */
export function unregisterFastMatMul(): void {
  if (original === undefined) return;
  tf.unregisterKernel(tf.BatchMatMul, "wasm");
  tf.registerKernel(original);
  original = undefined;
}

function kernel(name: string): KernelFunc {
  const found = tf.getKernel(name, "wasm");
  if (found === undefined) throw new Error(`the wasm backend has no ${name} kernel`);
  return found.kernelFunc as unknown as KernelFunc;
}

function fastBatchMatMul(
  { inputs, attrs, backend }: {
    inputs: { a: tf.TensorInfo; b: tf.TensorInfo };
    attrs: { transposeA: boolean; transposeB: boolean };
    backend: BackendWasm;
  },
): tf.TensorInfo {
  const matMul = (original!.kernelFunc as unknown) as KernelFunc;
  const reshape = kernel(tf.Reshape);
  const temporaries: tf.TensorInfo[] = [];
  const keep = (t: tf.TensorInfo) => (temporaries.push(t), t);
  const swapLastTwo = (t: tf.TensorInfo) => {
    const perm = t.shape.map((_, i) => i);
    [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
    return keep(kernel(tf.Transpose)({ inputs: { x: t }, attrs: { perm }, backend }));
  };
  try {
    const a = attrs.transposeA ? swapLastTwo(inputs.a) : inputs.a; // (…, M, K)
    const b = attrs.transposeB ? swapLastTwo(inputs.b) : inputs.b; // (…, K, N)
    const [M, K] = a.shape.slice(-2);
    const [K2, N] = b.shape.slice(-2);
    if (K !== K2) {
      throw new Error(
        `matMul: inner dimensions ${K} and ${K2} of shapes [${inputs.a.shape}] and [${inputs.b.shape}] ` +
          `(transposeA=${attrs.transposeA}, transposeB=${attrs.transposeB}) must match`,
      );
    }
    const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
    const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
    const outShape = [
      ...tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2)),
      M,
      N,
    ];
    const plain = { transposeA: false, transposeB: false };
    const as3d = (t: tf.TensorInfo, shape: number[]) =>
      keep(reshape({ inputs: { x: t }, attrs: { shape }, backend }));
    if (batchB === 1) {
      // One shared right matrix: fold the batch into rows, one product (B·M, K) · (K, N).
      const out = matMul({
        inputs: { a: as3d(a, [1, batchA * M, K]), b: as3d(b, [1, K, N]) },
        attrs: plain,
        backend,
      });
      return withShape(out, outShape, backend, reshape);
    }
    const outBatch = outShape.slice(0, -2);
    const count = tf.util.sizeFromShape(outBatch);
    const indexA = batchIndices(outBatch, a.shape.slice(0, -2));
    const indexB = batchIndices(outBatch, b.shape.slice(0, -2));
    const out = backend.makeOutput([count, M, N], "float32");
    if (M * K * N <= SMALL_PRODUCT) {
      // Many tiny matrices (attention over short sequences): a plain loop beats a kernel call each.
      smallProducts(backend, a, b, out, { M, K, N, indexA, indexB });
      return withShape(out, outShape, backend, reshape);
    }
    // A batch of larger right matrices: one 2-D product per matrix, written into one output.
    // Matrix i of a batch is a contiguous block of the heap, so it is copied directly (the Slice
    // and Concat kernels cost more than the products themselves at these sizes).
    const block = (t: tf.TensorInfo, i: number, size: number, shape: number[]) => {
      const part = keep(backend.makeOutput(shape, "float32"));
      // Views are taken after allocating: a growing heap replaces the buffer under older views.
      const source = backend.typedArrayFromHeap(t) as Float32Array;
      (backend.typedArrayFromHeap(part) as Float32Array).set(
        source.subarray(i * size, (i + 1) * size),
      );
      return part;
    };
    for (let i = 0; i < count; i++) {
      const ai = batchA === 1 ? as3d(a, [1, M, K]) : block(a, indexA[i], M * K, [1, M, K]);
      const bi = block(b, indexB[i], K * N, [1, K, N]);
      const product = keep(matMul({ inputs: { a: ai, b: bi }, attrs: plain, backend }));
      (backend.typedArrayFromHeap(out) as Float32Array).set(
        backend.typedArrayFromHeap(product) as Float32Array,
        i * M * N,
      );
    }
    return withShape(out, outShape, backend, reshape);
  } finally {
    for (const t of temporaries) backend.disposeData(t.dataId);
  }
}

/**
 * Largest M·K·N multiplied in JavaScript rather than by a kernel call per matrix. A call costs
 * ~12 µs whatever the size; the loop runs at ~1.5 GFLOP/s, so it wins below about 8,000
 * multiply-adds (a 9 × 32 · 32 × 9 attention score matrix: 3.5 µs against 13 µs).
 */
export const SMALL_PRODUCT = 8192;

/** `out[i] = a[indexA[i]] · b[indexB[i]]` for every matrix i, summed in float64. */
function smallProducts(
  backend: BackendWasm,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  out: tf.TensorInfo,
  { M, K, N, indexA, indexB }: {
    M: number;
    K: number;
    N: number;
    indexA: number[];
    indexB: number[];
  },
): void {
  const A = backend.typedArrayFromHeap(a) as Float32Array; // (…, M, K)
  const B = backend.typedArrayFromHeap(b) as Float32Array; // (…, K, N)
  const O = backend.typedArrayFromHeap(out) as Float32Array; // (count, M, N)
  const row = new Float64Array(N);
  for (let i = 0; i < indexA.length; i++) {
    const a0 = indexA[i] * M * K;
    const b0 = indexB[i] * K * N;
    for (let m = 0; m < M; m++) {
      row.fill(0);
      for (let k = 0; k < K; k++) {
        const value = A[a0 + m * K + k];
        const b1 = b0 + k * N;
        for (let n = 0; n < N; n++) row[n] += value * B[b1 + n];
      }
      O.set(row, (i * M + m) * N);
    }
  }
}

/**
 * For each matrix of the broadcast output batch `outBatch`, the index of the matrix of an
 * operand with batch shape `batch` that it reads (axes of size 1 repeat, aligned from the right).
 */
function batchIndices(outBatch: number[], batch: number[]): number[] {
  const count = tf.util.sizeFromShape(outBatch);
  const offset = outBatch.length - batch.length;
  const strides = batch.map((_, i) => tf.util.sizeFromShape(batch.slice(i + 1)));
  return Array.from({ length: count }, (_, o) => {
    let rest = o;
    let index = 0;
    for (let axis = outBatch.length - 1; axis >= 0; axis--) {
      const coordinate = rest % outBatch[axis];
      rest = Math.floor(rest / outBatch[axis]);
      const own = axis - offset;
      if (own >= 0 && batch[own] !== 1) index += coordinate * strides[own];
    }
    return index;
  });
}

/** Give `out` the shape `shape` (same data), freeing the original handle. */
function withShape(
  out: tf.TensorInfo,
  shape: number[],
  backend: BackendWasm,
  reshape: KernelFunc,
): tf.TensorInfo {
  const shaped = reshape({ inputs: { x: out }, attrs: { shape }, backend });
  backend.disposeData(out.dataId);
  return shaped;
}
