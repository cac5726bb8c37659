/**
 * Fast matrix products on the wasm backend.
 *
 * TensorFlow.js 4.22's wasm `BatchMatMul` is fast in one case only: a single 2-D product
 * `A · B` with neither side transposed (XNNPACK's fully-connected path). With `transposeA` or
 * `transposeB`, or with a batch of more than one matrix — exactly what attention and every
 * backward pass need — it falls back to plain loops, many times slower.
 *
 * This replacement kernel computes every product with the course's own kernel
 * (`gemm.ts`), which reads the operands where they lie in the backend's heap:
 * 1. B is packed into panels (see `gemm.ts`) straight from its layout, so a transposed B
 *    costs nothing extra; a transposed A is transposed for real first (`Gemm.transpose`, in
 *    4 × 4 blocks: the kernel is fastest on rows of A that lie side by side);
 * 2. if the right operand is a single matrix shared by the whole batch, the batch is folded
 *    into the rows of A: `(B·M, K) · (K, N)`, one product;
 * 3. otherwise each matrix of the batch is multiplied on its own, one kernel call each (a call
 *    costs well under a microsecond, so attention's many small products stay cheap). Batch
 *    dimensions broadcast in general (`[2, 1]` with `[1, 3]`), which the original kernel does not.
 * A plain product of a few rows ({@link FEW_ROWS}) by one matrix goes to the original kernel,
 * which is faster there.
 * Each output sums its K products in order with fused multiply-adds, so results differ from the
 * original kernel's (a multiply and an add, each rounded) by float32 rounding only.
 *
 * Where the JavaScript engine lacks relaxed SIMD (`f32x4.relaxed_madd`), the kernel multiplies
 * and adds separately (a little slower); only without WebAssembly SIMD does the original stay.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { compileGemm, type Gemm, MR, NR, packedSize } from "./gemm.ts";
import { compilesHere, heapIndex, heapMemory, perHeap } from "./heap.ts";

type KernelFunc = (
  args: { inputs: unknown; attrs?: unknown; backend: BackendWasm },
) => tf.TensorInfo;

let original: tf.KernelConfig | undefined;
/** Whether the kernel in place multiplies and adds in one instruction (see `compileGemm`). */
let fusedMultiplyAdd = true;

/** Whether the fast product kernel is in place. */
export function fastMatMulRegistered(): boolean {
  return original !== undefined;
}

/**
 * Replace the wasm BatchMatMul kernel with the fast one (once; later calls do nothing). Returns
 * whether the fast kernel is in place: false where the engine has no WebAssembly SIMD at all.
 *
 * @param options.fused `false` registers the same kernel with separate multiplies and adds,
 *   whose results equal XNNPACK's bit for bit (for tests; slower). By default it fuses them
 *   where the engine has relaxed SIMD, and does not elsewhere.
 */
export function registerFastMatMul(options: { fused?: boolean } = {}): boolean {
  if (original !== undefined) return true;
  fusedMultiplyAdd = options.fused ?? compiles(true);
  if (!compiles(fusedMultiplyAdd)) return false;
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
    // Binds the original's wasm entry point when the backend starts, for unregisterFastMatMul.
    setupFunc: kernel.setupFunc,
  });
  return true;
}

/** Put the original wasm BatchMatMul kernel back (for comparisons). */
export function unregisterFastMatMul(): void {
  if (original === undefined) return;
  tf.unregisterKernel(tf.BatchMatMul, "wasm");
  tf.registerKernel(original);
  original = undefined;
}

/** Whether the kernel compiles here (fused: it needs relaxed SIMD; otherwise SIMD). */
function compiles(fused: boolean): boolean {
  return compilesHere((memory) => compileGemm(memory, fused));
}

/** Whether the kernel in place fuses multiply and add (false where relaxed SIMD is missing). */
export function fastMatMulFused(): boolean {
  return fastMatMulRegistered() && fusedMultiplyAdd;
}

/** The kernels (fused and not) compiled so far, for each backend heap. */
const gemms = perHeap(() => new Map<boolean, Gemm>());

/** The kernel in place (fused or not), on the backend's heap. */
function gemmFor(backend: BackendWasm): Gemm {
  const compiled = gemms(backend);
  if (!compiled.has(fusedMultiplyAdd)) {
    compiled.set(fusedMultiplyAdd, compileGemm(heapMemory(backend), fusedMultiplyAdd));
  }
  return compiled.get(fusedMultiplyAdd)!;
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
  const { a, b } = inputs;
  const { transposeA, transposeB } = attrs;
  if (a.dtype !== "float32" || b.dtype !== "float32") {
    throw new TypeError(`matMul on wasm needs float32 operands, got ${a.dtype} and ${b.dtype}`);
  }
  const [M, K] = transposeA
    ? [a.shape.at(-1)!, a.shape.at(-2)!]
    : [a.shape.at(-2)!, a.shape.at(-1)!];
  const [K2, N] = transposeB
    ? [b.shape.at(-1)!, b.shape.at(-2)!]
    : [b.shape.at(-2)!, b.shape.at(-1)!];
  if (K !== K2) {
    throw new Error(
      `matMul: inner dimensions ${K} and ${K2} of shapes [${a.shape}] and [${b.shape}] ` +
        `(transposeA=${transposeA}, transposeB=${transposeB}) must match`,
    );
  }
  const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
  const outBatch = tf.backend_util.assertAndGetBroadcastShape(
    a.shape.slice(0, -2),
    b.shape.slice(0, -2),
  );
  const fewRows = batchB === 1 && batchA * M < FEW_ROWS && !transposeA && !transposeB;
  if (fewRows && M * K * N > 0) {
    return xnnpackProduct(a, b, batchA * M, [...outBatch, M, N], backend);
  }
  const out = backend.makeOutput([...outBatch, M, N], "float32");
  if (M * N === 0) return out;
  const index = (t: tf.TensorInfo) => heapIndex(backend, t);
  if (K === 0) {
    (backend.typedArrayFromHeap(out) as Float32Array).fill(0); // empty sums
    return out;
  }
  // Packed copies of every matrix of B, then a scratch area for partial tiles.
  const panelSize = packedSize(K, N);
  const work = backend.makeOutput([batchB * panelSize + MR * NR], "float32");
  const gemm = gemmFor(backend);
  // A transposed A is transposed for real first: the kernel is fastest with rows side by side.
  const rowsOfA = transposeA ? swapLastTwo(a, backend, gemm) : a; // (…, M, K)
  try {
    const [packed, scratch] = [index(work), index(work) + batchB * panelSize];
    for (let i = 0; i < batchB; i++) {
      const offset = index(b) + i * K * N;
      gemm.pack(
        transposeB
          ? { offset, rowStride: 1, colStride: K }
          : { offset, rowStride: N, colStride: 1 },
        packed + i * panelSize,
        K,
        N,
      );
    }
    const [firstA, firstC] = [index(rowsOfA), index(out)];
    if (batchB === 1) {
      // One shared right matrix: fold the batch into rows, one product (B·M, K) · (K, N).
      gemm.multiply(firstA, packed, firstC, { M: batchA * M, K, N }, scratch);
      return out;
    }
    const indexA = batchIndices(outBatch, a.shape.slice(0, -2));
    const indexB = batchIndices(outBatch, b.shape.slice(0, -2));
    const shape = { M, K, N };
    const count = tf.util.sizeFromShape(outBatch);
    for (let i = 0; i < count; i++) {
      const [ai, bi] = [indexA?.[i] ?? i, indexB?.[i] ?? i];
      gemm.multiply(
        firstA + ai * M * K,
        packed + bi * panelSize,
        firstC + i * M * N,
        shape,
        scratch,
      );
    }
    return out;
  } finally {
    backend.disposeData(work.dataId);
    if (rowsOfA !== a) backend.disposeData(rowsOfA.dataId);
  }
}

/**
 * Below this many rows of A, a plain product with one B (a layer applied to a token or two, as
 * in generation with a KV cache) goes to the original kernel: XNNPACK keeps each weight matrix
 * packed between calls, while this kernel packs B on every call, which then costs more than the
 * product itself.
 */
export const FEW_ROWS = 16;

/**
 * `A · B` by the original kernel's plain path: `rows × K` times `K × N`, reshaped to `outShape`
 * (the broadcast batch, then M and N: a batch of one in B alone still adds its axes).
 */
function xnnpackProduct(
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  rows: number,
  outShape: number[],
  backend: BackendWasm,
): tf.TensorInfo {
  const reshape = kernel(tf.Reshape);
  const [K, N] = b.shape.slice(-2);
  const as3d = (t: tf.TensorInfo, shape: number[]) =>
    reshape({ inputs: { x: t }, attrs: { shape }, backend });
  const [a3, b3] = [as3d(a, [1, rows, K]), as3d(b, [1, K, N])];
  try {
    const product = (original!.kernelFunc as unknown as KernelFunc)({
      inputs: { a: a3, b: b3 },
      attrs: { transposeA: false, transposeB: false },
      backend,
    });
    const shaped = reshape({ inputs: { x: product }, attrs: { shape: outShape }, backend });
    backend.disposeData(product.dataId);
    return shaped;
  } finally {
    backend.disposeData(a3.dataId);
    backend.disposeData(b3.dataId);
  }
}

/** A new tensor: `t` with its last two axes swapped. */
function swapLastTwo(t: tf.TensorInfo, backend: BackendWasm, gemm: Gemm): tf.TensorInfo {
  const [rows, cols] = t.shape.slice(-2);
  const out = backend.makeOutput([...t.shape.slice(0, -2), cols, rows], "float32");
  const [from, to] = [heapIndex(backend, t), heapIndex(backend, out)];
  const count = tf.util.sizeFromShape(t.shape.slice(0, -2));
  for (let i = 0; i < count; i++) {
    gemm.transpose(from + i * rows * cols, to + i * rows * cols, rows, cols);
  }
  return out;
}

/**
 * For each matrix of the broadcast output batch `outBatch`, the index of the matrix of an
 * operand with batch shape `batch` that it reads (axes of size 1 repeat, aligned from the right);
 * `undefined` when the operand's batch is the output's, so that matrix i reads its own matrix i.
 */
export function batchIndices(outBatch: number[], batch: number[]): number[] | undefined {
  if (tf.util.arraysEqual(outBatch, batch)) return undefined;
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
