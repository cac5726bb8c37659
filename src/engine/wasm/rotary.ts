/**
 * Rotary positions as one kernel of the wasm backend: one pass of WebAssembly SIMD that turns
 * every pair of numbers of `x` `(..., T, d)` by its angle, from tables `cos` and `sin` `(T, d)`
 * that hold each angle twice (`nn/rotary.ts` makes them):
 *
 *     y = x ⊙ cos + swap(x) ⊙ (−1, 1, −1, 1, …) ⊙ sin,    swap(x₀, x₁, x₂, x₃) = (x₁, x₀, x₃, x₂)
 *
 * Four numbers, two pairs, are read at a time, their pairs swapped by one shuffle. A rotation's
 * gradient is the rotation back, by the same tables with the signs the other way round: the
 * backward pass is this kernel with `inverse`. Written as tensor operations the same rotation
 * took a `Reverse` (wasm's is slow), broadcast products and, backward, sums for the tables'
 * gradients that nothing uses: a third of a training step of lesson 7's GPT.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { FunctionBody, instantiate } from "./assembler.ts";
import { heapAddress, perHeap, registerHeapKernels } from "./heap.ts";

/**
 * The name of the rotary kernel: inputs `x` `(..., T, d)`, `cos` and `sin` `(T, d)`, attribute
 * `inverse` (turn back); output the turned `x`. d must be even and T·d a multiple of 4.
 */
export const ROTARY_KERNEL = "CourseRotary";

/** The pass compiled against one heap: byte addresses of x, cos, sin, y; vectors; table bytes. */
type RotaryPass = (
  x: number,
  cos: number,
  sin: number,
  y: number,
  vectors: number,
  tableBytes: number,
) => void;

/** Float lanes (x₁, x₀, x₃, x₂) of a vector, as the bytes `i8x16.shuffle` picks. */
const SWAP_PAIRS = [4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11];

/** The pass that turns by the tables' angles (`sign` (−1, 1, −1, 1)) or back (`sign` negated). */
function passBody(sign: readonly [number, number, number, number]): FunctionBody {
  const f = new FunctionBody(["i32", "i32", "i32", "i32", "i32", "i32"]);
  const [x, cos, sin, y, vectors, tableBytes] = [0, 1, 2, 3, 4, 5];
  const [offset, end, row] = [f.local("i32"), f.local("i32"), f.local("i32")];
  const [v, signs] = [f.local("v128"), f.local("v128")];
  f.f32x4ConstLanes(sign).set(signs);
  f.i32Const(0).set(offset).i32Const(0).set(row); // row: the byte offset in the tables
  f.get(vectors).i32Const(16).i32Mul().set(end);
  f.while(() => f.get(offset).get(end).i32LtS(), () => {
    f.get(x).get(offset).i32Add().v128Load().set(v);
    f.get(y).get(offset).i32Add(); // where the result goes
    f.get(v).get(cos).get(row).i32Add().v128Load().f32x4Mul();
    f.get(v).get(v).i8x16Shuffle(SWAP_PAIRS).get(signs).f32x4Mul();
    f.get(sin).get(row).i32Add().v128Load().f32x4Mul();
    f.f32x4Add().v128Store();
    f.get(offset).i32Const(16).i32Add().set(offset);
    // the next vector of the tables, back to their start after the last
    f.i32Const(0).get(row).i32Const(16).i32Add().tee(row).get(row).get(tableBytes).i32Eq();
    f.select().set(row);
  });
  return f;
}

/** Compile both passes against `memory`. */
function compileRotary(memory: WebAssembly.Memory): { forward: RotaryPass; back: RotaryPass } {
  const passes = instantiate([
    { name: "forward", body: passBody([-1, 1, -1, 1]) },
    { name: "back", body: passBody([1, -1, 1, -1]) },
  ], memory);
  return { forward: passes.forward, back: passes.back };
}

/** The passes compiled against the backend's heap. */
const passesFor = perHeap(compileRotary);

/**
 * Whether the kernel takes `x` `(..., T, d)` with tables `(T, d)`: d even (whole pairs) and T·d a
 * multiple of 4 (whole vectors).
 */
export function rotaryKernelFits(x: readonly number[], table: readonly number[]): boolean {
  const [T, d] = table;
  return table.length === 2 && x.length >= 2 && x[x.length - 2] === T &&
    x[x.length - 1] === d && d % 2 === 0 && (T * d) % 4 === 0;
}

/** Rotary positions on wasm: x turned by the tables' angles, or back with `inverse`. */
const rotaryKernel: tf.KernelConfig = {
  kernelName: ROTARY_KERNEL,
  backendName: "wasm",
  kernelFunc: ({ inputs, attrs, backend }) => {
    const wasm = backend as BackendWasm;
    const { x, cos, sin } = inputs as unknown as Record<"x" | "cos" | "sin", tf.TensorInfo>;
    const { inverse } = attrs as unknown as { inverse: boolean };
    if (!rotaryKernelFits(x.shape, cos.shape) || !tf.util.arraysEqual(cos.shape, sin.shape)) {
      throw new RangeError(
        `the rotary kernel needs x (..., T, d) and tables cos, sin (T, d) with d even and T·d ` +
          `a multiple of 4, got x [${x.shape}], cos [${cos.shape}], sin [${sin.shape}]`,
      );
    }
    const y = wasm.makeOutput(x.shape, "float32");
    const size = tf.util.sizeFromShape(x.shape);
    if (size > 0) {
      const pass = inverse ? passesFor(wasm).back : passesFor(wasm).forward;
      const address = (t: tf.TensorInfo) => heapAddress(wasm, t);
      pass(
        address(x),
        address(cos),
        address(sin),
        address(y),
        size / 4,
        4 * tf.util.sizeFromShape(cos.shape),
      );
    }
    return y;
  },
};

/**
 * Register the kernel on the wasm backend (once; later calls do nothing). Returns whether it is
 * in place: false where the engine has no WebAssembly SIMD (the rotation is then its formula).
 */
export function registerWasmRotary(): boolean {
  return registerHeapKernels([rotaryKernel], compileRotary);
}
