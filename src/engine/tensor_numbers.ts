/**
 * Reading and writing a tensor's numbers without the copies TensorFlow.js makes on the way.
 *
 * `dataSync()` copies a tensor's numbers out of the backend, and `variable.assign(tf.tensor(…))`
 * copies new ones in and makes and frees two tensors. The optimizer and data-parallel training
 * do that for every parameter at every step (millions of numbers). On the wasm backend a
 * tensor's numbers lie in the backend's heap, where they can be read and, for a variable that
 * shares its memory with no other tensor, overwritten in place.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

/** The wasm backend, if it holds `t`'s numbers. */
function wasmHolding(t: tf.Tensor): BackendWasm | undefined {
  const backend = tf.engine().backend as BackendWasm;
  return tf.getBackend() === "wasm" && backend.dataIdMap.has(t.dataId) ? backend : undefined;
}

/**
 * The numbers of a float32 tensor, to read only and at once: on wasm a view of the backend's
 * heap (no copy; a later allocation may move the heap away from under it), elsewhere
 * `dataSync()`.
 */
export function readNumbers(t: tf.Tensor): Float32Array {
  if (t.dtype !== "float32") throw new TypeError(`expected a float32 tensor, got ${t.dtype}`);
  const wasm = wasmHolding(t);
  return (wasm === undefined ? t.dataSync() : wasm.typedArrayFromHeap(t)) as Float32Array;
}

/**
 * Give `variable` the numbers `values` (as many as it has). On wasm, a variable whose memory no
 * other tensor shares is overwritten in place, and everything the backend derived from its old
 * numbers is dropped ({@link forgetDerivedCopies}); otherwise it is assigned a new tensor made
 * from a copy of `values` (which may be a view of memory that changes later).
 */
export function writeNumbers(variable: tf.Variable, values: Float32Array): void {
  if (values.length !== variable.size) {
    throw new RangeError(
      `${variable.name} [${variable.shape}] has ${variable.size} numbers, got ${values.length}`,
    );
  }
  const wasm = wasmHolding(variable);
  if (wasm !== undefined && variable.dtype === "float32" && wasm.refCount(variable.dataId) === 1) {
    (wasm.typedArrayFromHeap(variable) as Float32Array).set(values);
    forgetDerivedCopies(wasm, variable);
    return;
  }
  tf.tidy(() => variable.assign(tf.tensor(values.slice(), variable.shape, variable.dtype)));
}

/**
 * Drop what the wasm backend keeps derived from `t`'s numbers, for use after they were changed
 * in place. XNNPACK's fully-connected operator, which the backend caches per weight matrix
 * (few-row products, `FEW_ROWS`), holds a packed copy of the weights made when it was first used:
 * left alone, it would go on multiplying by the old numbers. The backend frees such caches when
 * a tensor is disposed, by its id; disposing the id and registering it again at the same
 * memory frees them and keeps the numbers where they are.
 */
function forgetDerivedCopies(wasm: BackendWasm, t: tf.Tensor): void {
  const { id, memoryOffset } = wasm.dataIdMap.get(t.dataId)!;
  wasm.wasm.tfjs.disposeData(id);
  wasm.wasm.tfjs.registerTensor(id, t.size, memoryOffset);
}
