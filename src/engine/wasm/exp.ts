/**
 * The exponential of four float32 numbers at once, in WebAssembly SIMD, for the kernels that
 * need one (GELU's Φ, attention's softmax). It is computed as in Cephes' `expf`: w = n·ln 2 + r
 * with n the integer nearest w / ln 2 and |r| ≤ ½ ln 2, exp(r) by a polynomial, and 2ⁿ by
 * writing n + 127 into a float's exponent bits. w must be at least {@link EXP_FLOOR}, where
 * exp(w) is still a normal float (the callers clamp it, and decide what a number below means).
 *
 * @module
 */
import type { FunctionBody } from "./assembler.ts";

/** exp(w) is computed for w ≥ this. */
export const EXP_FLOOR = -80;
/** ln 2 in two parts (n·ln 2 exact in float32 for the first). */
const LN2_HIGH = 0.693359375;
const LN2_LOW = -2.12194440e-4;
/** Cephes `expf`'s polynomial for exp(r) − 1 − r, over r². */
const EXP_POLYNOMIAL = [
  1.9875691500e-4,
  1.3981999507e-3,
  8.3334519073e-3,
  4.1665795894e-2,
  1.6666665459e-1,
  5.0000001201e-1,
];
/** Adding this to a float of magnitude below 2²² rounds it to an integer held in the low bits. */
const ROUNDER = 1.5 * 2 ** 23;
/** The rounder's bits less the exponent bias: bits(w + rounder) − this = n + 127. */
const ROUNDER_BITS_LESS_BIAS = 0x4b400000 - 127;

/** The constants {@link emitExp} uses, for {@link holdConstants}. */
export const EXP_CONSTANTS: readonly number[] = [
  EXP_FLOOR,
  Math.LOG2E,
  ROUNDER,
  LN2_HIGH,
  LN2_LOW,
  ...EXP_POLYNOMIAL,
  1,
];

/** Pushes a constant vector (all four lanes one value) kept in a local. */
export type Constant = (value: number) => FunctionBody;

/**
 * Hold each of `values` in all four lanes of a local of `f`, set once at the start (a
 * `v128.const` inside a loop would be rebuilt on every use); returns the function that pushes
 * one of them, and throws on a value not held.
 */
export function holdConstants(f: FunctionBody, values: readonly number[]): Constant {
  const held = new Map<number, number>();
  for (const value of values) {
    if (held.has(value)) continue;
    held.set(value, f.local("v128"));
    f.f32x4Const(value).set(held.get(value)!);
  }
  return (value) => {
    const local = held.get(value);
    if (local === undefined) throw new Error(`kernel constant ${value} was not held`);
    return f.get(local);
  };
}

/** Scratch locals of {@link emitExp}: `w` (its input), `n`, `r`, `t` (all v128). */
export type ExpLocals = Record<"w" | "n" | "r" | "t", number>;

/**
 * Push exp of the four lanes of local `v.w` (each ≥ {@link EXP_FLOOR}); `n`, `r` and `t` are
 * overwritten. `c` pushes the {@link EXP_CONSTANTS}.
 */
export function emitExp(f: FunctionBody, v: ExpLocals, c: Constant): void {
  f.get(v.w);
  c(Math.LOG2E).f32x4Mul();
  c(ROUNDER).f32x4Add().tee(v.t); // n's bits in the low mantissa: kept for 2ⁿ
  c(ROUNDER).f32x4Sub().set(v.n);
  f.get(v.w).get(v.n);
  c(LN2_HIGH).f32x4Mul().f32x4Sub().get(v.n);
  c(LN2_LOW).f32x4Mul().f32x4Sub().set(v.r);
  // exp(r) ≈ 1 + r + r²·(…((p₀·r + p₁)·r + p₂)…)
  c(EXP_POLYNOMIAL[0]);
  for (const coefficient of EXP_POLYNOMIAL.slice(1)) {
    f.get(v.r).f32x4Mul();
    c(coefficient).f32x4Add();
  }
  f.get(v.r).get(v.r).f32x4Mul().f32x4Mul().get(v.r).f32x4Add();
  c(1).f32x4Add();
  // · 2ⁿ: the float whose exponent bits hold n + 127
  f.get(v.t).i32x4Const(ROUNDER_BITS_LESS_BIAS).i32x4Sub().i32Const(23).i32x4Shl();
  f.f32x4Mul();
}

/** New scratch locals of `f` for {@link emitExp}. */
export function expLocals(f: FunctionBody): ExpLocals {
  return { w: f.local("v128"), n: f.local("v128"), r: f.local("v128"), t: f.local("v128") };
}

/**
 * Push exp of the four lanes of local `x` (any floats), with 0 in the lanes below
 * {@link EXP_FLOOR} (−∞ included): a softmax's weights, exact zeros for hidden or padding lanes.
 * `c` pushes the {@link EXP_CONSTANTS} and 0.
 */
export function emitExpOrZero(f: FunctionBody, x: number, v: ExpLocals, c: Constant): void {
  c(0);
  f.get(x);
  c(EXP_FLOOR).f32x4Pmax().set(v.w);
  emitExp(f, v, c);
  f.get(x);
  c(EXP_FLOOR).f32x4Lt().v128Bitselect();
}
