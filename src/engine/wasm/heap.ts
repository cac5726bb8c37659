/**
 * Where the wasm backend keeps tensors: one `WebAssembly.Memory` (the heap of its emscripten
 * module), each tensor's numbers at an offset in it. The course's own WebAssembly kernels
 * (`gemm.ts`, `gelu.ts`) import that memory and work on tensors where they lie.
 *
 * Offsets stay valid while a tensor lives; views (typed arrays) of the memory do not when the
 * heap grows, so a kernel allocates its outputs (`backend.makeOutput`) before taking any.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

/** The backend's heap (emscripten keeps the module's exports, memory included, on `asm`). */
export function heapMemory(backend: BackendWasm): WebAssembly.Memory {
  return (backend.wasm as unknown as { asm: { memory: WebAssembly.Memory } }).asm.memory;
}

/** Where `t`'s numbers start in the backend's heap, in bytes (the address a kernel takes). */
export function heapAddress(backend: BackendWasm, t: tf.TensorInfo): number {
  return backend.dataIdMap.get(t.dataId)!.memoryOffset;
}

/** Where `t`'s numbers start in the backend's heap, counted in 4-byte numbers. */
export function heapIndex(backend: BackendWasm, t: tf.TensorInfo): number {
  return heapAddress(backend, t) / 4;
}

/**
 * Whether `compile` succeeds here, on a memory of its own: false where the engine lacks the
 * WebAssembly features a kernel needs (SIMD, relaxed SIMD).
 */
export function compilesHere(compile: (memory: WebAssembly.Memory) => unknown): boolean {
  try {
    compile(new WebAssembly.Memory({ initial: 1 }));
    return true;
  } catch {
    return false;
  }
}

/**
 * `compile` run once per backend heap (a backend created anew has a new heap): returns the
 * lookup that compiles on first use and remembers the result.
 */
export function perHeap<T>(
  compile: (memory: WebAssembly.Memory) => T,
): (backend: BackendWasm) => T {
  const compiled = new WeakMap<WebAssembly.Memory, T>();
  return (backend) => {
    const memory = heapMemory(backend);
    if (!compiled.has(memory)) compiled.set(memory, compile(memory));
    return compiled.get(memory)!;
  };
}

/**
 * Register `kernels` (new kernel names, on wasm) once, if `compile` succeeds here
 * ({@link compilesHere}); returns whether they are in place.
 */
export function registerHeapKernels(
  kernels: readonly tf.KernelConfig[],
  compile: (memory: WebAssembly.Memory) => unknown,
): boolean {
  if (kernels.every((k) => tf.getKernel(k.kernelName, k.backendName) !== undefined)) return true;
  if (!compilesHere(compile)) return false;
  for (const kernel of kernels) tf.registerKernel(kernel);
  return true;
}
