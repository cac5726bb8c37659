/**
 * The engine: all of the course's speed machinery, behind this one facade. The readable core
 * (tokenizers, layers, models, training, generation) imports from here and nowhere else in
 * `engine/`; the engine imports nothing of the core.
 *
 * - `init.ts`: {@link initCourse}, which picks the backend and registers the kernels;
 * - `fast_ops.ts`: attention, cross-entropy, LayerNorm, RMSNorm, GELU and rotary positions by
 *   one kernel each, or `undefined` (the core then uses its formula);
 * - `linear_gradient.ts`: a linear layer's `x · W + b` differentiated as one operation;
 * - `shared_saves.ts`: tensors kept for the backward pass as handles, without a kernel call;
 * - `tensor_numbers.ts`: a tensor's numbers read and written in place (the optimizer, the
 *   threads);
 * - `wasm/`: the WebAssembly kernels and the small assembler that writes them (matrix product,
 *   attention, cross-entropy, LayerNorm and RMSNorm, GELU, rotary positions, AdamW's update, the kernels wasm lacks for
 *   training);
 * - `data_parallel.ts`, `gradient_worker.ts`, `replica.ts`: a step's gradients computed on N
 *   threads, for any model kind a registry lists.
 *
 * @module
 */
export { type BackendName, type CourseRuntime, initCourse, type InitOptions } from "./init.ts";
export {
  fastAttention,
  fastCrossEntropy,
  fastGelu,
  fastLayerNorm,
  fastRmsNorm,
  fastRotary,
  fusedKernelsInUse,
  useFusedKernels,
} from "./fast_ops.ts";
export { fastLinear } from "./linear_gradient.ts";
export { readNumbers, writeNumbers } from "./tensor_numbers.ts";
export { AdamWKernel, type AdamWStep } from "./wasm/adamw.ts";
export { type BatchGradients, DataParallel, MAX_SHARDS } from "./data_parallel.ts";
export {
  countTargets,
  type HostBatch,
  type HostMatrix,
  type LossOptions,
  type Replica,
  type ReplicaJob,
  type ReplicaKind,
  requireBatchNames,
  splitRows,
  type TensorBatch,
  toHost,
  toTensors,
} from "./replica.ts";
