/**
 * One call that prepares TensorFlow.js for the course: {@link initCourse}.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { requireOneOf } from "../runtime/checks.ts";
import { DEFAULT_SEED, setSeed } from "../runtime/random.ts";
import { fastMatMulFused, registerFastMatMul } from "./wasm/matmul.ts";
import { useFusedKernels } from "./fast_ops.ts";
import { shareSavedTensors } from "./shared_saves.ts";
import { registerWasmAttention } from "./wasm/attention.ts";
import { registerWasmCrossEntropy } from "./wasm/cross_entropy.ts";
import { registerWasmGelu } from "./wasm/gelu.ts";
import { registerWasmTrainingKernels } from "./wasm/training_kernels.ts";
import { registerWasmNorms } from "./wasm/norms.ts";
import { registerWasmRotary } from "./wasm/rotary.ts";

/** Backends the course runs on. */
export type BackendName = "wasm" | "cpu";

/** Options of {@link initCourse}. */
export interface InitOptions {
  /** The backend to use; `"wasm"` (the default) falls back to `"cpu"` if it cannot start. */
  backend?: BackendName;
  /** Seed of the course-wide generator (see `random.ts`); default {@link DEFAULT_SEED}. */
  seed?: number;
  /**
   * Attention and cross-entropy by one kernel each way (`fast_ops.ts`, `useFusedKernels`)
   * instead of their formulas; default false. A training run sets it as its recipe says
   * (`TrainingSettings.fusedKernels`) and restores it after.
   */
  fusedKernels?: boolean;
}

/** What {@link initCourse} set up. */
export interface CourseRuntime {
  /** The backend in use. */
  backend: BackendName;
  /** The backend asked for. */
  requested: BackendName;
  /** Why the requested backend is not the one in use, if it is not. */
  fallbackReason?: string;
  /** The seed the course-wide generator was set to. */
  seed: number;
  /** The TensorFlow.js version. */
  tfjs: string;
  /** Whether the wasm module uses SIMD instructions (wasm backend only). */
  simd?: boolean;
  /** Number of threads the wasm module runs on (wasm backend only). */
  threads?: number;
  /**
   * Whether the course's matrix-product kernel replaced wasm's (`wasm/matmul.ts`); false only
   * where the JavaScript engine lacks WebAssembly SIMD (wasm's own kernel then stays).
   */
  fastMatMul: boolean;
}

/**
 * Prepare TensorFlow.js for the course, and return what was set up.
 *
 * - selects the wasm backend (or `options.backend`); if it cannot start, falls back to cpu and
 *   prints why;
 * - silences the "install tfjs-node" banner that the cpu backend prints under Node and Deno;
 * - seeds the course-wide generator;
 * - registers the kernels that training needs and wasm lacks (`UnsortedSegmentSum`, the gradient
 *   of `tf.gather`) and faster versions of a few of wasm's (`wasm/training_kernels.ts`), GELU,
 *   LayerNorm, RMSNorm, rotary positions, attention and cross-entropy as one kernel forward and
 *   one backward each (`wasm/gelu.ts`, `wasm/norms.ts`, `wasm/rotary.ts`, `wasm/attention.ts`,
 *   `wasm/cross_entropy.ts`; attention's and cross-entropy's are used with
 *   `options.fusedKernels`), and the course's matrix-product kernel
 *   for wasm (`wasm/matmul.ts`; it says why if it cannot);
 * - keeps the tensors a gradient needs as shared handles rather than copies (`shared_saves.ts`).
 *
 * Calling it again (a re-run notebook cell) is harmless: it re-seeds and re-selects the backend.
 */
export async function initCourse(options: InitOptions = {}): Promise<CourseRuntime> {
  const requested = options.backend ?? "wasm";
  requireOneOf("backend", requested, ["wasm", "cpu"]);
  const seed = options.seed ?? DEFAULT_SEED;
  silenceNodeBanner();
  registerWasmTrainingKernels();
  registerWasmGelu();
  registerWasmNorms();
  registerWasmRotary();
  registerWasmAttention();
  registerWasmCrossEntropy();
  useFusedKernels(options.fusedKernels ?? false);
  shareSavedTensors();
  const fastMatMul = registerFastMatMul();
  if (!fastMatMulFused()) {
    console.warn(
      "This JavaScript engine lacks relaxed SIMD: matrix products are " +
        (fastMatMul ? "a little slower" : "several times slower") +
        " (update Deno to 2.9 or later).",
    );
  }
  let backend: BackendName = requested;
  let fallbackReason: string | undefined;
  if (requested === "wasm") {
    fallbackReason = await trySetBackend("wasm");
    if (fallbackReason !== undefined) {
      console.warn(`The wasm backend could not start (${fallbackReason}); using cpu instead.`);
      backend = "cpu";
    }
  }
  if (backend === "cpu") {
    const cpuFailure = await trySetBackend("cpu");
    if (cpuFailure !== undefined) throw new Error(`The cpu backend could not start: ${cpuFailure}`);
  }
  setSeed(seed);
  const runtime: CourseRuntime = { backend, requested, seed, tfjs: tf.version.tfjs, fastMatMul };
  if (fallbackReason !== undefined) runtime.fallbackReason = fallbackReason;
  if (backend === "wasm") {
    runtime.simd = Boolean(await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"));
    runtime.threads = tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT")
      ? navigator.hardwareConcurrency
      : 1;
  }
  return runtime;
}

/** Select `name`; return why it failed, or undefined on success. */
async function trySetBackend(name: BackendName): Promise<string | undefined> {
  if (tf.findBackendFactory(name) === null) return `the ${name} backend is not registered`;
  try {
    const ok = await tf.setBackend(name);
    return ok ? undefined : `tf.setBackend("${name}") reported failure`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * The cpu backend prints "Hi, looks like you are running TensorFlow.js in Node.js..." on its
 * first tensor; tfjs-node is not an option in this course, so mark that tensor as written.
 */
function silenceNodeBanner(): void {
  const cpu = tf.findBackend("cpu") as unknown as { firstUse?: boolean } | null;
  if (cpu !== null && "firstUse" in cpu) cpu.firstUse = false;
}
