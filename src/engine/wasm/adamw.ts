/**
 * AdamW's update as one WebAssembly loop over 4 numbers at a time (SIMD), for the optimizer
 * `AdamW` (`training/adamw.ts`).
 *
 * An update touches every parameter five times (gradient, m, v, the weight and the result);
 * written as tensor operations it is a dozen kernel calls per parameter, in plain JavaScript a
 * square root and a division per number. Here the running averages m and v live in the
 * kernel's own memory, and a step copies each parameter's weights and gradient in, updates all
 * four arrays in one pass, and the caller copies the new weights out.
 *
 * @module
 */
import { FunctionBody, instantiate, type KernelExport } from "./assembler.ts";

/** The constants of one update (see `training/adamw.ts` for the formula). */
export interface AdamWStep {
  /** Multiplies the gradient first (clipping's factor). */
  scale: number;
  /** β₁ */
  beta1: number;
  /** β₂ */
  beta2: number;
  /** lr / (1 − β₁ᵗ): the step on m̂. */
  step: number;
  /** 1 − lr·λ: weight decay as a shrink factor (1 for parameters without decay). */
  shrink: number;
  /** 1 / (1 − β₂ᵗ) */
  unbias2: number;
  /** ε */
  epsilon: number;
}

/** Update state for parameters of the given sizes. */
export class AdamWKernel {
  readonly #memory: WebAssembly.Memory;
  readonly #update: KernelExport;
  /** Float index of each parameter's region; a region holds m, v, the weights and the gradient. */
  readonly #offsets: number[] = [];
  readonly #sizes: number[];

  /** @param sizes the number of weights of each parameter, in the order later calls use */
  constructor(sizes: readonly number[]) {
    this.#sizes = [...sizes];
    let floats = 0;
    for (const size of sizes) {
      this.#offsets.push(floats);
      floats += 4 * roundUp(size); // m, v, weights, gradient, each padded to whole vectors
    }
    this.#memory = new WebAssembly.Memory({
      initial: Math.max(1, Math.ceil((4 * floats) / 65536)),
    });
    this.#update = instantiate([{ name: "update", body: updateBody() }], this.#memory).update;
  }

  /**
   * Update parameter `index` from its `weights` and `gradient` (both of the size given to the
   * constructor; `AdamW` checks); returns the new weights, a view of the kernel's memory that
   * the next update overwrites.
   */
  apply(index: number, weights: Float32Array, gradient: Float32Array, c: AdamWStep): Float32Array {
    const size = this.#sizes[index];
    const padded = roundUp(size);
    const base = this.#offsets[index];
    const [m, v, w, g] = [base, base + padded, base + 2 * padded, base + 3 * padded];
    const heap = new Float32Array(this.#memory.buffer);
    heap.set(weights, w);
    heap.set(gradient, g);
    this.#update(
      4 * m,
      4 * v,
      4 * w,
      4 * g,
      padded / 4,
      c.scale,
      c.beta1,
      c.beta2,
      c.step,
      c.shrink,
      c.unbias2,
      c.epsilon,
    );
    return heap.subarray(w, w + size);
  }
}

/** `n` rounded up to whole 4-lane vectors. */
function roundUp(n: number): number {
  return Math.ceil(n / 4) * 4;
}

/** For each vector: g ← g·scale; m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; w ← shrink·w − step·m / (√(v·unbias2) + ε). */
function updateBody(): FunctionBody {
  const f = new FunctionBody([
    "i32", // 0 m address
    "i32", // 1 v address
    "i32", // 2 w address
    "i32", // 3 g address
    "i32", // 4 vectors
    "f32", // 5 scale
    "f32", // 6 β₁
    "f32", // 7 β₂
    "f32", // 8 step
    "f32", // 9 shrink
    "f32", // 10 unbias2
    "f32", // 11 ε
  ]);
  const [m, v, w, g, count] = [0, 1, 2, 3, 4];
  const scalars = [5, 6, 7, 8, 9, 10, 11];
  const [scale, beta1, beta2, step, shrink, unbias2, epsilon, oneMinus1, oneMinus2] = [
    ...scalars,
    -1,
    -2,
  ].map(() => f.local("v128"));
  const gradient = f.local("v128");
  const mean = f.local("v128");
  const square = f.local("v128");
  const i = f.local("i32");
  // Every constant in all four lanes; 1 − β from the lanes of β.
  [scale, beta1, beta2, step, shrink, unbias2, epsilon].forEach((local, k) => {
    f.get(scalars[k]).f32x4Splat().set(local);
  });
  const one = () => f.f32Const(1).f32x4Splat();
  one().get(beta1).f32x4Sub().set(oneMinus1);
  one().get(beta2).f32x4Sub().set(oneMinus2);
  f.i32Const(0).set(i);
  f.while(() => f.get(i).get(count).i32LtS(), () => {
    const at = (base: number) => f.get(base).get(i).i32Const(16).i32Mul().i32Add();
    at(g).v128Load().get(scale).f32x4Mul().set(gradient);
    // m ← β₁m + (1 − β₁)g
    at(m);
    at(m).v128Load().get(beta1).f32x4Mul().get(oneMinus1).get(gradient).f32x4Mul().f32x4Add();
    f.tee(mean).v128Store();
    // v ← β₂v + (1 − β₂)g²
    at(v);
    at(v).v128Load().get(beta2).f32x4Mul();
    f.get(oneMinus2).get(gradient).f32x4Mul().get(gradient).f32x4Mul().f32x4Add();
    f.tee(square).v128Store();
    // w ← shrink·w − step·m / (√(v·unbias2) + ε)
    at(w);
    at(w).v128Load().get(shrink).f32x4Mul();
    f.get(step).get(mean).f32x4Mul();
    f.get(square).get(unbias2).f32x4Mul().f32x4Sqrt().get(epsilon).f32x4Add().f32x4Div();
    f.f32x4Sub().v128Store();
    f.get(i).i32Const(1).i32Add().set(i);
  });
  return f;
}
