/**
 * A tiny WebAssembly assembler: just enough to write a few numeric kernels by hand, as bytes,
 * without a compiler toolchain.
 *
 * A module here imports one memory (`env.memory`: the heap of the TensorFlow.js wasm backend, or
 * a memory of its own) and exports functions whose parameters and locals are `i32`, `f32` or
 * `v128`, and which return nothing. {@link FunctionBody} writes a function's instructions one method per instruction,
 * named as in the WebAssembly text format (`i32.add` → `i32Add`); {@link assembleModule} wraps
 * the functions into a binary module. Only the instructions the kernels use are here.
 *
 * @module
 */

/** Value types a kernel uses. */
export type ValueType = "i32" | "f32" | "v128";

const TYPE_CODE: Record<ValueType, number> = { i32: 0x7f, f32: 0x7d, v128: 0x7b };

/** Unsigned LEB128, the encoding of sizes and indices in a module. */
export function unsignedLeb(value: number): number[] {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`unsignedLeb: expected a non-negative integer, got ${value}`);
  }
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
}

/** Signed LEB128, the encoding of `i32.const` operands. */
export function signedLeb(value: number): number[] {
  if (!Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) {
    throw new RangeError(`signedLeb: expected a 32-bit integer, got ${value}`);
  }
  const bytes: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    const done = (value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0);
    bytes.push(done ? byte : byte | 0x80);
    if (done) return bytes;
  }
}

/** The instructions of one function, appended in order. Locals are numbered after the parameters. */
export class FunctionBody {
  /** Encoded instructions so far. */
  readonly code: number[] = [];
  /** Types of the locals declared with {@link FunctionBody.local} (parameters not included). */
  readonly locals: ValueType[] = [];

  /** @param params types of the parameters, locals 0 … params.length − 1 */
  constructor(readonly params: readonly ValueType[]) {}

  /** Declare a local and return its index. */
  local(type: ValueType): number {
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }

  private op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }

  private simd(opcode: number, ...immediates: number[]): this {
    return this.op(0xfd, ...unsignedLeb(opcode), ...immediates);
  }

  /** `local.get` */
  get(index: number): this {
    return this.op(0x20, ...unsignedLeb(index));
  }
  /** `local.set` */
  set(index: number): this {
    return this.op(0x21, ...unsignedLeb(index));
  }
  /** `local.tee` */
  tee(index: number): this {
    return this.op(0x22, ...unsignedLeb(index));
  }
  /** `i32.const` */
  i32Const(value: number): this {
    return this.op(0x41, ...signedLeb(value));
  }
  /** `f32.const` */
  f32Const(value: number): this {
    return this.op(0x43, ...new Uint8Array(new Float32Array([value]).buffer));
  }
  /** `i32.add` */
  i32Add(): this {
    return this.op(0x6a);
  }
  /** `i32.sub` */
  i32Sub(): this {
    return this.op(0x6b);
  }
  /** `i32.mul` */
  i32Mul(): this {
    return this.op(0x6c);
  }
  /** `i32.lt_s` */
  i32LtS(): this {
    return this.op(0x48);
  }
  /** `i32.lt_u`: unsigned (heap addresses above 2 GiB stay in order) */
  i32LtU(): this {
    return this.op(0x49);
  }
  /** `i32.le_s` */
  i32LeS(): this {
    return this.op(0x4c);
  }
  /** `i32.eq` */
  i32Eq(): this {
    return this.op(0x46);
  }
  /** `i32.shr_u` */
  i32ShrU(): this {
    return this.op(0x76);
  }
  /** `i32.and` */
  i32And(): this {
    return this.op(0x71);
  }
  /** `i32.eqz` */
  i32Eqz(): this {
    return this.op(0x45);
  }
  /** `select`: the first operand if the condition is non-zero, else the second. */
  select(): this {
    return this.op(0x1b);
  }
  /** `block` with no result; close it with {@link FunctionBody.end}. */
  block(): this {
    return this.op(0x02, 0x40);
  }
  /** `loop` with no result; close it with {@link FunctionBody.end}. */
  loop(): this {
    return this.op(0x03, 0x40);
  }
  /** `if` with no result; close it with {@link FunctionBody.end}, optionally after `else`. */
  if(): this {
    return this.op(0x04, 0x40);
  }
  /** `else` */
  else(): this {
    return this.op(0x05);
  }
  /** `end` of a block, loop, if or the function. */
  end(): this {
    return this.op(0x0b);
  }
  /** `br` to the enclosing label `depth` levels out (0 = innermost). */
  br(depth: number): this {
    return this.op(0x0c, ...unsignedLeb(depth));
  }
  /** `br_if` to the enclosing label `depth` levels out (0 = innermost). */
  brIf(depth: number): this {
    return this.op(0x0d, ...unsignedLeb(depth));
  }
  /** `v128.load` (alignment 4: heap tensors are only 4-byte aligned) */
  v128Load(offset = 0): this {
    return this.simd(0x00, 2, ...unsignedLeb(offset));
  }
  /** `v128.load32_splat`: one float read into all four lanes. */
  v128Load32Splat(offset = 0): this {
    return this.simd(0x09, 2, ...unsignedLeb(offset));
  }
  /** `v128.store` (alignment 4) */
  v128Store(offset = 0): this {
    return this.simd(0x0b, 2, ...unsignedLeb(offset));
  }
  /** `i8x16.shuffle`: 16 bytes picked from two vectors (0–15 the first, 16–31 the second). */
  i8x16Shuffle(lanes: readonly number[]): this {
    if (lanes.length !== 16 || lanes.some((l) => !Number.isInteger(l) || l < 0 || l > 31)) {
      throw new RangeError(`i8x16.shuffle needs 16 lane indices in 0 … 31, got [${lanes}]`);
    }
    return this.simd(0x0d, ...lanes);
  }
  /**
   * `while (condition) body`: `condition` pushes an i32; inside `body`, depth 0 continues and
   * depth 1 breaks out.
   */
  while(condition: () => void, body: () => void): this {
    this.block().loop();
    condition();
    this.i32Eqz().brIf(1);
    body();
    return this.br(0).end().end();
  }
  /** `v128.const` with `value` (as f32) in all four lanes. */
  f32x4Const(value: number): this {
    return this.f32x4ConstLanes([value, value, value, value]);
  }
  /** `v128.const` with the four f32 `lanes`. */
  f32x4ConstLanes(lanes: readonly [number, number, number, number]): this {
    return this.simd(0x0c, ...new Uint8Array(new Float32Array(lanes).buffer));
  }
  /** `v128.const` with `value` (as i32) in all four lanes. */
  i32x4Const(value: number): this {
    return this.simd(0x0c, ...new Uint8Array(new Int32Array(4).fill(value).buffer));
  }
  /** `v128.any_true`: 1 if any bit of the vector is set, else 0 (an i32). */
  v128AnyTrue(): this {
    return this.simd(0x53);
  }
  /** `f32x4.splat`: one f32 into all four lanes. */
  f32x4Splat(): this {
    return this.simd(0x13);
  }
  /** `f32x4.lt`: all ones in the lanes where the first operand is smaller, zeros elsewhere. */
  f32x4Lt(): this {
    return this.simd(0x43);
  }
  /** `v128.bitselect`: bits of the first operand where the third has ones, else of the second. */
  v128Bitselect(): this {
    return this.simd(0x52);
  }
  /** `i32x4.shl`: shift each lane left by an i32 operand. */
  i32x4Shl(): this {
    return this.simd(0xab);
  }
  /** `i32x4.add` */
  i32x4Add(): this {
    return this.simd(0xae);
  }
  /** `i32x4.sub` */
  i32x4Sub(): this {
    return this.simd(0xb1);
  }
  /** `f32x4.abs` */
  f32x4Abs(): this {
    return this.simd(0xe0);
  }
  /** `f32x4.pmax`: the second operand where the first is smaller, else the first (one `maxps`). */
  f32x4Pmax(): this {
    return this.simd(0xeb);
  }
  /** `f32x4.sqrt` */
  f32x4Sqrt(): this {
    return this.simd(0xe3);
  }
  /** `f32x4.sub` */
  f32x4Sub(): this {
    return this.simd(0xe5);
  }
  /** `f32x4.div` */
  f32x4Div(): this {
    return this.simd(0xe7);
  }
  /** `f32x4.add` */
  f32x4Add(): this {
    return this.simd(0xe4);
  }
  /** `f32x4.mul` */
  f32x4Mul(): this {
    return this.simd(0xe6);
  }
  /**
   * `f32x4.relaxed_madd`: `a · b + c` lane by lane, fused into one rounding where the processor
   * has FMA instructions (relaxed SIMD), as two roundings elsewhere.
   */
  f32x4RelaxedMadd(): this {
    return this.simd(0x105);
  }
  /** `f32.add` */
  f32Add(): this {
    return this.op(0x92);
  }
  /** `f32.sub` */
  f32Sub(): this {
    return this.op(0x93);
  }
  /** `f32.mul` */
  f32Mul(): this {
    return this.op(0x94);
  }
  /** `f32.div` */
  f32Div(): this {
    return this.op(0x95);
  }
  /** `f32.sqrt` */
  f32Sqrt(): this {
    return this.op(0x91);
  }
  /** `f32.max` */
  f32Max(): this {
    return this.op(0x97);
  }
  /** `f32.ne`: 1 where the two floats differ, else 0 (an i32). */
  f32Ne(): this {
    return this.op(0x5c);
  }
  /** `f32.convert_i32_s`: an integer as a float. */
  f32ConvertI32S(): this {
    return this.op(0xb2);
  }
  /** `f32x4.extract_lane`: lane `lane` (0–3) of a vector as an f32. */
  f32x4ExtractLane(lane: number): this {
    return this.simd(0x1f, lane);
  }
  /** `f32.load` (alignment 4) */
  f32Load(offset = 0): this {
    return this.op(0x2a, 2, ...unsignedLeb(offset));
  }
  /** `f32.store` (alignment 4) */
  f32Store(offset = 0): this {
    return this.op(0x38, 2, ...unsignedLeb(offset));
  }
}

/** Push onto `f`'s stack the f32 sum of the four lanes of the v128 in local `x`. */
export function emitLaneSum(f: FunctionBody, x: number): void {
  f.get(x).f32x4ExtractLane(0).get(x).f32x4ExtractLane(1).f32Add();
  f.get(x).f32x4ExtractLane(2).get(x).f32x4ExtractLane(3).f32Add().f32Add();
}

/** A function of a module, exported under `name`. */
export interface ExportedFunction {
  /** Export name. */
  name: string;
  /** Its parameters, locals and code (without the final `end`, which is added). */
  body: FunctionBody;
}

/** The bytes of a module that imports `env.memory` and exports `functions`. */
export function assembleModule(
  functions: readonly ExportedFunction[],
): Uint8Array<ArrayBuffer> {
  const section = (
    id: number,
    content: number[],
  ) => [id, ...unsignedLeb(content.length), ...content];
  const vector = (items: number[][]) => [...unsignedLeb(items.length), ...items.flat()];
  const name = (text: string) => {
    const bytes = [...new TextEncoder().encode(text)];
    return [...unsignedLeb(bytes.length), ...bytes];
  };
  const types = vector(functions.map(({ body }) => [
    0x60,
    ...vector(body.params.map((type) => [TYPE_CODE[type]])),
    0, // no results
  ]));
  // Memory import: limits with a minimum of 0 pages and no maximum accept any memory.
  const imports = vector([[...name("env"), ...name("memory"), 0x02, 0x00, 0x00]]);
  const declarations = vector(functions.map((_, i) => unsignedLeb(i)));
  const exports = vector(functions.map((f, i) => [...name(f.name), 0x00, ...unsignedLeb(i)]));
  const bodies = vector(functions.map(({ body }) => {
    const groups: number[][] = body.locals.map((type) => [1, TYPE_CODE[type]]);
    const content = [...vector(groups), ...body.code, 0x0b];
    return [...unsignedLeb(content.length), ...content];
  }));
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d, // "\0asm"
    0x01,
    0x00,
    0x00,
    0x00, // version 1
    ...section(1, types),
    ...section(2, imports),
    ...section(3, declarations),
    ...section(7, exports),
    ...section(10, bodies),
  ]);
}

/** A kernel function: byte addresses, counts and constants in, results written to memory. */
export type KernelExport = (...args: number[]) => void;

/** Assemble `functions` into a module, instantiate it on `memory`, and return its functions by name. */
export function instantiate(
  functions: readonly ExportedFunction[],
  memory: WebAssembly.Memory,
): Record<string, KernelExport> {
  const module = new WebAssembly.Module(assembleModule(functions));
  return new WebAssembly.Instance(module, { env: { memory } }).exports as Record<
    string,
    KernelExport
  >;
}
