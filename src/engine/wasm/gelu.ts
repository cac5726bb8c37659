/**
 * GELU as one kernel of the wasm backend: one pass of WebAssembly SIMD over the numbers where
 * they lie in the backend's heap, writing GELU and its derivative side by side.
 *
 * Written as tensor operations, GELU(x) = x · Φ(x) = ½ · x · (1 + erf(x / √2)) is five kernel
 * calls forward and about ten backward, and wasm's `Erf` alone takes some 8 ns a number: in a
 * step of lesson 7's GPT the feed-forward activation cost more than its attention. Here one
 * pass computes, from one exponential per number,
 *
 *     y  = x · Φ(x)
 *     y′ = Φ(x) + x · φ(x),   φ(x) = exp(−x²/2) / √(2π)
 *
 * and the backward pass is a multiplication, dx = dy · y′, with y′ kept from the forward pass
 * (computing it again there would cost a second pass as dear as the first).
 *
 * Φ comes from the complementary error function in the form of Abramowitz and Stegun's formula
 * 7.1.26 (absolute error below 1.5·10⁻⁷, the approximation TensorFlow.js's cpu backend uses for
 * `erf`): with z = |x| / √2 and t = 1 / (1 + p·z),
 *
 *     erfc(z) ≈ t·(a₁ + t·(a₂ + t·(a₃ + t·(a₄ + t·a₅)))) · exp(−z²),    exp(−z²) = exp(−x²/2)
 *
 * and Φ(x) = 1 − erfc(z)/2 for x ≥ 0, erfc(z)/2 for x < 0. The exponential is `exp.ts`'s, of
 * −x²/2 held at or above its floor of −80 (further out, GELU and its gradient are 0 to within
 * 10⁻³⁴). The results differ from the tensor formula by a few float32 roundings; the tests
 * bound them against float64.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { FunctionBody, instantiate } from "./assembler.ts";
import { type Constant, emitExp, EXP_CONSTANTS, EXP_FLOOR, holdConstants } from "./exp.ts";
import { heapAddress, heapIndex, heapMemory, perHeap, registerHeapKernels } from "./heap.ts";

/** The name of the GELU kernel (input `x`; outputs GELU(x) and GELU′(x)). */
export const GELU_KERNEL = "CourseGelu";

/** Abramowitz and Stegun 7.1.26: p and a₁ … a₅. */
const P = 0.3275911;
const A = [0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429];
/** The pass compiled against one heap; addresses in bytes, the count in 4-number vectors. */
type GeluPass = (x: number, y: number, slope: number, vectors: number) => void;

/** The constants of the passes, each held in a local from the start. */
const CONSTANTS = [
  -0.5,
  ...EXP_CONSTANTS,
  P * Math.SQRT1_2,
  ...A,
  0.5,
  0,
  1 / Math.sqrt(2 * Math.PI),
];

/** Locals of a pass: the current vector `x`, results `e` and `phi`, scratch `w`, `n`, `r`, `t`. */
type Locals = Record<"x" | "e" | "phi" | "w" | "n" | "r" | "t", number>;

/**
 * Emit, for the vector in local `x`: local `e` ← exp(−x²/2) and local `phi` ← Φ(x). `c(value)`
 * pushes a constant.
 */
function emitPhi(f: FunctionBody, v: Locals, c: Constant): void {
  // w = max(−x²/2, floor) = n·ln 2 + r with n the nearest integer to w / ln 2
  f.get(v.x).get(v.x).f32x4Mul();
  c(-0.5).f32x4Mul();
  c(EXP_FLOOR).f32x4Pmax().set(v.w);
  emitExp(f, v, c);
  f.set(v.e);
  // t = 1 / (1 + p·|x|/√2);  h = erfc(|x|/√2) / 2 = t·(a₁ + t·(… + t·a₅)) · e / 2
  c(1);
  c(1).get(v.x).f32x4Abs();
  c(P * Math.SQRT1_2).f32x4Mul().f32x4Add().f32x4Div().set(v.t);
  c(A[4]);
  for (const coefficient of [A[3], A[2], A[1], A[0]]) {
    f.get(v.t).f32x4Mul();
    c(coefficient).f32x4Add();
  }
  f.get(v.t).f32x4Mul().get(v.e).f32x4Mul();
  c(0.5).f32x4Mul().set(v.r);
  // Φ = h where x < 0, 1 − h elsewhere
  f.get(v.r);
  c(1).get(v.r).f32x4Sub().get(v.x);
  c(0).f32x4Lt().v128Bitselect().set(v.phi);
}

/** The pass over `vectors` vectors of 4 numbers: parameters (x, y, slope, vectors). */
function passBody(): FunctionBody {
  const f = new FunctionBody(["i32", "i32", "i32", "i32"]);
  const count = 3;
  const [offset, end] = [f.local("i32"), f.local("i32")];
  const v: Locals = {
    x: f.local("v128"),
    e: f.local("v128"),
    phi: f.local("v128"),
    w: f.local("v128"),
    n: f.local("v128"),
    r: f.local("v128"),
    t: f.local("v128"),
  };
  const c = holdConstants(f, CONSTANTS);
  const at = (address: number) => f.get(address).get(offset).i32Add();
  f.i32Const(0).set(offset);
  f.get(count).i32Const(16).i32Mul().set(end);
  f.while(() => f.get(offset).get(end).i32LtS(), () => {
    at(0).v128Load().set(v.x);
    emitPhi(f, v, c);
    at(1).get(v.x).get(v.phi).f32x4Mul().v128Store();
    at(2);
    f.get(v.phi).get(v.x).get(v.e).f32x4Mul();
    c(1 / Math.sqrt(2 * Math.PI)).f32x4Mul().f32x4Add().v128Store();
    f.get(offset).i32Const(16).i32Add().set(offset);
  });
  return f;
}

/** Compile the pass against `memory`. */
function compileGelu(memory: WebAssembly.Memory): GeluPass {
  return instantiate([{ name: "gelu", body: passBody() }], memory).gelu;
}

/** The pass compiled against the backend's heap. */
const passFor = perHeap(compileGelu);

/**
 * Two new float32 tensors shaped like `x`, from a pass over its numbers: `run` gets the byte
 * addresses of x and of both outputs, and a count of 4-number vectors. A size that is not a
 * multiple of 4 gets one more vector, the last 4 numbers (computed twice, to the same values);
 * fewer than 4 numbers go through a padded copy.
 */
function elementwise(
  backend: BackendWasm,
  x: tf.TensorInfo,
  run: (addresses: number[], vectors: number) => void,
): tf.TensorInfo[] {
  if (x.dtype !== "float32") throw new TypeError(`GELU needs a float32 tensor, got ${x.dtype}`);
  const size = tf.util.sizeFromShape(x.shape);
  const outputs = [0, 1].map(() => backend.makeOutput(x.shape, "float32"));
  const all = [x, ...outputs];
  if (size >= 4) {
    const addresses = all.map((t) => heapAddress(backend, t));
    run(addresses, Math.floor(size / 4));
    if (size % 4 !== 0) run(addresses.map((a) => a + 4 * (size - 4)), 1);
  } else if (size > 0) {
    const padded = backend.makeOutput([4 * all.length], "float32");
    const base = heapIndex(backend, padded);
    const heap = new Float32Array(heapMemory(backend).buffer);
    heap.fill(0, base, base + 4 * all.length);
    heap.set(backend.typedArrayFromHeap(x), base);
    run(all.map((_, k) => 4 * (base + 4 * k)), 1);
    outputs.forEach((out, k) => {
      const from = base + 4 * (k + 1);
      (backend.typedArrayFromHeap(out) as Float32Array).set(heap.subarray(from, from + size));
    });
    backend.disposeData(padded.dataId);
  }
  return outputs;
}

/** GELU on wasm: outputs GELU(x) and GELU′(x). */
const geluKernel: tf.KernelConfig = {
  kernelName: GELU_KERNEL,
  backendName: "wasm",
  kernelFunc: ({ inputs, backend }) => {
    const wasm = backend as BackendWasm;
    const { x } = inputs as unknown as { x: tf.TensorInfo };
    const pass = passFor(wasm);
    return elementwise(wasm, x, ([from, y, slope], vectors) => pass(from, y, slope, vectors));
  },
};

/**
 * Register the kernel on the wasm backend (once; later calls do nothing). Returns whether it is
 * in place: false where the engine has no WebAssembly SIMD (GELU is then computed by its
 * formula in tensor operations).
 */
export function registerWasmGelu(): boolean {
  return registerHeapKernels([geluKernel], compileGelu);
}
