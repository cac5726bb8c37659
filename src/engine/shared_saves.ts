/**
 * Tensors kept for the backward pass as new handles on their input's data, without a kernel call.
 *
 * TensorFlow.js keeps each tensor a gradient will need by `engine.clone`, which runs the
 * `Identity` kernel: for every input a kernel's gradient reads and for every tensor a
 * `tf.customGrad` saves (about 370 of the 1,020 kernel calls of lesson 9's training step). The
 * course's `Identity` already shares the data (`wasm/training_kernels.ts`), so each of those calls
 * only pays the engine's dispatch. Here the handle is made directly: the backend's reference count
 * is raised and the engine tracks a new tensor on the same data, as the kernel would have done.
 * Kept numbers stay as they were: a weight written in place (`tensor_numbers.ts`) is written in
 * place only while no other handle shares its data, and no course kernel writes its inputs.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** The part of TensorFlow.js's engine that saving for the backward pass goes through. */
interface CloningEngine {
  clone(x: tf.Tensor): tf.Tensor;
  backend: tf.KernelBackend;
  makeTensorFromTensorInfo(info: tf.TensorInfo, backend?: tf.KernelBackend): tf.Tensor;
  addTapeNode(
    kernelName: string,
    inputs: tf.NamedTensorMap,
    outputs: tf.Tensor[],
    gradient: (dy: tf.Tensor) => Record<string, () => tf.Tensor>,
    saved: tf.Tensor[],
    attrs: tf.NamedAttrMap,
  ): void;
  state: {
    activeScope: { name: string };
    tensorInfo: { get(dataId: object): { backend: tf.KernelBackend } | undefined };
  };
}

/** A kept handle's gradient, as the engine's own `clone` records it: `dy` as float32. */
const handleGradient = (dy: tf.Tensor) => ({ x: () => tf.cast(dy, "float32") });

/** The engine's own `clone`, before {@link shareSavedTensors} replaced it. */
let engineClone: ((x: tf.Tensor) => tf.Tensor) | undefined;

/**
 * Make the engine keep tensors for the backward pass as new handles on the same data, for
 * tensors of the current backend (others, and strings, go through the engine's own `clone`).
 * Idempotent. As in the engine's `clone`, the tape records the handle as a function of its
 * input (gradient: `dy` as float32), so gradients of gradients still flow through it.
 */
export function shareSavedTensors(): void {
  if (engineClone !== undefined) return;
  const engine = tf.engine() as unknown as CloningEngine;
  const original = engine.clone.bind(engine);
  engineClone = original;
  engine.clone = (x: tf.Tensor): tf.Tensor => {
    const owner = engine.state.tensorInfo.get(x.dataId)?.backend;
    if (owner !== engine.backend || x.dtype === "string") return original(x);
    engine.backend.incRef(x.dataId);
    const y = engine.makeTensorFromTensorInfo({ dataId: x.dataId, shape: x.shape, dtype: x.dtype });
    engine.addTapeNode(engine.state.activeScope.name, { x }, [y], handleGradient, [], {});
    return y;
  };
}

/** Give the engine back its own `clone`, which runs the `Identity` kernel (for comparisons). */
export function restoreEngineClone(): void {
  if (engineClone === undefined) return;
  (tf.engine() as unknown as CloningEngine).clone = engineClone;
  engineClone = undefined;
}
