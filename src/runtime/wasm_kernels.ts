/**
 * Kernels that training needs and the wasm backend of TensorFlow.js 4.22 lacks.
 *
 * `UnsortedSegmentSum` is the gradient of `tf.gather`: it adds each row of the upstream gradient
 * into the row of the table it was gathered from. Without it, an embedding lookup cannot train
 * on wasm ("Kernel 'UnsortedSegmentSum' not registered for backend 'wasm'"). It is the only one of
 * the kernels missing from wasm (the others are complex numbers, FFT, ragged tensors, convolution
 * filter gradients, string ops and `Einsum`) that a transformer uses.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

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

/** The kernels this module adds to the wasm backend. */
export const WASM_TRAINING_KERNELS: readonly tf.KernelConfig[] = [unsortedSegmentSum];

/** Register {@link WASM_TRAINING_KERNELS}; kernels already registered are left alone. */
export function registerWasmTrainingKernels(): void {
  for (const kernel of WASM_TRAINING_KERNELS) {
    if (tf.getKernel(kernel.kernelName, kernel.backendName) === undefined) {
      tf.registerKernel(kernel);
    }
  }
}
