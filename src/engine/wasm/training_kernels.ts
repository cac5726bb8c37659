/**
 * Kernels that training needs and the wasm backend of TensorFlow.js 4.22 lacks or runs slowly.
 *
 * `UnsortedSegmentSum` is the gradient of `tf.gather`: it adds each row of the upstream gradient
 * into the row of the table it was gathered from. Without it, an embedding lookup cannot train
 * on wasm ("Kernel 'UnsortedSegmentSum' not registered for backend 'wasm'"). It is the only one of
 * the kernels missing from wasm (the others are complex numbers, FFT, ragged tensors, convolution
 * filter gradients, string ops and `Einsum`) that a transformer uses.
 *
 * Others replace wasm's own, with results equal bit for bit:
 * - `Identity` shares its input's memory instead of copying it. TensorFlow.js calls it to keep
 *   every tensor a gradient will need (over 200 copies in one step of lesson 7's GPT); no kernel
 *   writes into its inputs, so a shared, reference-counted buffer is as good as a copy.
 * - `GatherV2` of whole rows of a float32 table (an embedding lookup) copies each row in one
 *   piece; wasm's kernel works number by number.
 *   Other gathers go to wasm's kernel.
 * - `Sum` over leading axes (the gradient of a bias or of a LayerNorm gain: `(B, T, C) → (C)`)
 *   adds whole rows, one after another, 4 columns at a time (WebAssembly SIMD), instead of
 *   first transposing the input so that each output's numbers lie side by side. Each output is
 *   still the float32 sum of its numbers in the same order. Other reductions go to wasm's kernel.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { FunctionBody, instantiate, type KernelExport } from "./assembler.ts";
import { compilesHere, heapAddress, perHeap } from "./heap.ts";

/**
 * `out[s, ...] = Σ x[i, ...]` over all `i` with `segmentIds[i] = s`; ids outside
 * `[0, numSegments)` are dropped, as in TensorFlow and the cpu backend.
 */
const unsortedSegmentSum: tf.KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: "wasm",
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { x, segmentIds } = inputs as unknown as tf.UnsortedSegmentSumInputs & {
      x: tf.TensorInfo;
      segmentIds: tf.TensorInfo;
    };
    const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
    const idRank = segmentIds.shape.length;
    if (x.shape.slice(0, idRank).join(",") !== segmentIds.shape.join(",")) {
      throw new Error(
        `UnsortedSegmentSum: segmentIds shape [${segmentIds.shape}] must be a prefix of ` +
          `x shape [${x.shape}]`,
      );
    }
    const wasm = backend as BackendWasm;
    const values = wasm.readSync(x.dataId) as Float32Array | Int32Array;
    const ids = wasm.readSync(segmentIds.dataId) as Int32Array;
    const rowShape = x.shape.slice(idRank);
    const rowSize = tf.util.sizeFromShape(rowShape);
    const out = x.dtype === "int32"
      ? new Int32Array(numSegments * rowSize)
      : new Float32Array(numSegments * rowSize);
    for (let i = 0; i < ids.length; i++) {
      const segment = ids[i];
      if (segment < 0 || segment >= numSegments) continue;
      const from = i * rowSize;
      const to = segment * rowSize;
      for (let j = 0; j < rowSize; j++) out[to + j] += values[from + j];
    }
    return wasm.makeOutput([numSegments, ...rowShape], x.dtype, undefined, out);
  },
};

/** `Identity` without a copy: the output is the input's data, its reference count raised. */
const sharedIdentity: tf.KernelConfig = {
  kernelName: tf.Identity,
  backendName: "wasm",
  kernelFunc: ({ inputs, backend }) => {
    const { x } = inputs as unknown as { x: tf.TensorInfo };
    (backend as BackendWasm).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  },
};

/** Whether this engine has the WebAssembly SIMD the row sum needs (else `Sum` stays wasm's). */
const rowSumCompiles = compilesHere(compileRowSum);

/** wasm's own kernels that this module replaced, by name, for the cases it leaves to them. */
const wasmOwn = new Map<string, tf.KernelConfig>();

/** Run wasm's own kernel `name` (one this module replaced). */
function ownKernel(name: string, args: Parameters<tf.KernelFunc>[0]): ReturnType<tf.KernelFunc> {
  return wasmOwn.get(name)!.kernelFunc(args);
}

/** `GatherV2` along axis 0 of a float32 table: one row copy per index. */
const rowGather: tf.KernelConfig = {
  kernelName: tf.GatherV2,
  backendName: "wasm",
  kernelFunc: (args) => {
    const { x, indices } = args.inputs as unknown as { x: tf.TensorInfo; indices: tf.TensorInfo };
    const { axis, batchDims } = args.attrs as unknown as tf.GatherV2Attrs;
    const rowsAxis = axis === 0 || axis === -x.shape.length;
    if (!rowsAxis || (batchDims ?? 0) !== 0 || x.dtype !== "float32" || indices.dtype !== "int32") {
      return ownKernel(tf.GatherV2, args);
    }
    const wasm = args.backend as BackendWasm;
    const rows = x.shape[0];
    const width = tf.util.sizeFromShape(x.shape.slice(1));
    const out = wasm.makeOutput([...indices.shape, ...x.shape.slice(1)], "float32");
    const table = wasm.typedArrayFromHeap(x) as Float32Array;
    const ids = wasm.typedArrayFromHeap(indices) as Int32Array;
    const values = wasm.typedArrayFromHeap(out) as Float32Array;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (id < 0 || id >= rows) {
        wasm.disposeData(out.dataId);
        throw new RangeError(`gather: index ${id} (position ${i}) is outside [0, ${rows})`);
      }
      values.set(table.subarray(id * width, (id + 1) * width), i * width);
    }
    return out;
  },
};

/**
 * `rowSum(x, out, rows, width)` (byte addresses, counts in numbers): `out[j] += x[r, j]` for
 * each row r in order, 4 columns at a time, the last `width mod 4` columns one by one.
 */
function rowSumBody(): FunctionBody {
  const f = new FunctionBody(["i32", "i32", "i32", "i32"]);
  const [x, out, rows, width] = [0, 1, 2, 3];
  const [row, column, vectorEnd, at] = [
    f.local("i32"),
    f.local("i32"),
    f.local("i32"),
    f.local("i32"),
  ];
  const address = (base: number) => f.get(base).get(column).i32Const(4).i32Mul().i32Add();
  f.get(width).i32Const(-4).i32And().set(vectorEnd);
  f.get(x).set(at);
  f.i32Const(0).set(row);
  f.while(() => f.get(row).get(rows).i32LtS(), () => {
    f.i32Const(0).set(column);
    f.while(() => f.get(column).get(vectorEnd).i32LtS(), () => {
      address(out);
      address(out).v128Load();
      address(at).v128Load().f32x4Add().v128Store();
      f.get(column).i32Const(4).i32Add().set(column);
    });
    f.while(() => f.get(column).get(width).i32LtS(), () => {
      address(out);
      address(out).f32Load();
      address(at).f32Load().f32Add().f32Store();
      f.get(column).i32Const(1).i32Add().set(column);
    });
    f.get(at).get(width).i32Const(4).i32Mul().i32Add().set(at);
    f.get(row).i32Const(1).i32Add().set(row);
  });
  return f;
}

/** The row sum compiled against `memory`. */
function compileRowSum(memory: WebAssembly.Memory): KernelExport {
  return instantiate([{ name: "rowSum", body: rowSumBody() }], memory).rowSum;
}

/** The row sum compiled against the backend's heap. */
const rowSumFor = perHeap(compileRowSum);

/** `Sum` that adds rows when the reduced axes lead; see the module comment. */
const rowSum: tf.KernelConfig = {
  kernelName: tf.Sum,
  backendName: "wasm",
  kernelFunc: (args) => {
    const { x } = args.inputs as unknown as { x: tf.TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
    const leading = axes.length > 0 && axes.every((a, i) => a === i) &&
      axes.length < x.shape.length;
    if (!leading || x.dtype !== "float32" || !rowSumCompiles) return ownKernel(tf.Sum, args);
    const wasm = args.backend as BackendWasm;
    const rowShape = x.shape.slice(axes.length);
    const width = tf.util.sizeFromShape(rowShape);
    const rows = tf.util.sizeFromShape(x.shape.slice(0, axes.length));
    const out = wasm.makeOutput(
      keepDims ? [...axes.map(() => 1), ...rowShape] : rowShape,
      "float32",
    );
    (wasm.typedArrayFromHeap(out) as Float32Array).fill(0);
    rowSumFor(wasm)(heapAddress(wasm, x), heapAddress(wasm, out), rows, width);
    return out;
  },
};

/** The kernels this module adds to the wasm backend or puts in place of wasm's own. */
export const WASM_TRAINING_KERNELS: readonly tf.KernelConfig[] = [
  unsortedSegmentSum,
  sharedIdentity,
  rowGather,
  rowSum,
];

/**
 * Register {@link WASM_TRAINING_KERNELS}, replacing wasm's own where it has one (once; later
 * calls do nothing).
 */
export function registerWasmTrainingKernels(): void {
  if (wasmOwn.size > 0) return;
  for (const kernel of WASM_TRAINING_KERNELS) {
    const own = tf.getKernel(kernel.kernelName, kernel.backendName);
    if (own === undefined) {
      tf.registerKernel(kernel);
      continue;
    }
    wasmOwn.set(kernel.kernelName, own);
    tf.unregisterKernel(kernel.kernelName, kernel.backendName);
    // The original's setup binds its wasm entry point when the backend starts.
    tf.registerKernel({ ...kernel, setupFunc: own.setupFunc });
  }
}
