/**
 * Scaled dot-product attention as one kernel of the wasm backend forward and one backward,
 * written in WebAssembly SIMD and run on the tensors where they lie in the backend's heap.
 * `nn/attention.ts` states the formula; per matrix of the batch (one head of one sequence),
 * for each query row i:
 *
 *     forward:   s_j = q_i · k_j · scale, or −1e9 where the mask is 0;  p_i = softmax(s);
 *                o_i = Σ_j p_ij v_j
 *     backward:  dp_j = dO_i · v_j (+ the weights' own gradient);  r = Σ_j p_ij dp_j;
 *                g_j = p_ij (dp_j − r) · scale;
 *                dq_i = Σ_j g_j k_j;  dk_j += g_j q_i;  dv_j += p_ij dO_i
 *
 * As tensor operations the same attention is some 10 kernel calls forward (two batched
 * products, the scaling, the mask's arithmetic, the softmax) and some 20 backward, each over
 * matrices of a few thousand numbers, where a call's fixed cost outweighs its arithmetic. The
 * weights are an output (the backward pass needs them, and the course's pictures show them). A
 * weight that is exactly 0 (a hidden key) is skipped: a causal mask halves the work.
 *
 * Where four keys in a row are all hidden their scores are −1e9 itself (no products are
 * computed), and a hidden key met one at a time likewise; elsewhere a score is the formula's,
 * s + (1 − m)·(−1e9). Either way a hidden key's weight is exactly 0 (exp underflows), so the
 * two differ only for a query that may see no key at all (uniform weights both ways, up to
 * rounding). The mask gets no gradient. The numbers of a row go 4 at a time: the head sizes of
 * q and v must be multiples of 4 ({@link attentionKernelFits}); sums are float32, each dot
 * product and the softmax's denominator in four lanes added at the end.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { emitLaneSum, FunctionBody, instantiate, type KernelExport } from "./assembler.ts";
import { emitExpOrZero, EXP_CONSTANTS, expLocals, holdConstants } from "./exp.ts";
import { heapAddress, perHeap, registerHeapKernels } from "./heap.ts";
import { batchIndices } from "./matmul.ts";

/**
 * The name of the attention kernel: inputs `q` `(..., Tq, d)`, `k` `(..., Tk, d)`, `v`
 * `(..., Tk, dv)` and optionally `mask` (1 where a query may look, 0 where not; broadcastable to
 * `(..., Tq, Tk)`, its last axis Tk), attribute `scale`; outputs the attention `(..., Tq, dv)`
 * and the weights `(..., Tq, Tk)`.
 */
export const ATTENTION_KERNEL = "CourseAttention";
/**
 * The name of its gradient kernel: inputs `dy` (of the attention), `q`, `k`, `v`, `weights`
 * and optionally `dWeights` (of the weights), attribute `scale`; outputs dq, dk, dv.
 */
export const ATTENTION_GRAD_KERNEL = "CourseAttentionGrad";

/** The score of a hidden key. */
const HIDDEN = -1e9;

/** A row of a head held in v128 locals: 4 numbers each. */
type Row = number[];

/** `count` new v128 locals. */
function vectorLocals(f: FunctionBody, count: number): Row {
  return Array.from({ length: count }, () => f.local("v128"));
}

/** Push the dot product of the row in `row` with the numbers at the address in local `at`. */
function emitDot(f: FunctionBody, row: Row, at: number, acc: number): void {
  row.forEach((local, c) => {
    f.get(local).get(at).v128Load(16 * c).f32x4Mul();
    if (c > 0) f.f32x4Add();
  });
  f.set(acc);
  emitLaneSum(f, acc);
}

/** Float lanes (a₀, a₂, b₀, b₂) and (a₁, a₃, b₁, b₃) of two vectors, as `i8x16.shuffle` picks them. */
const EVEN_LANES = [0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27];
const ODD_LANES = [4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31];

/**
 * Push the dot products of `row` with the four rows at the address in local `at`, `stride`
 * bytes apart, as one vector: each product's four lane sums are added pairwise across the four
 * (two rounds of shuffles), not lane by lane. `sums` are four scratch v128 locals.
 */
function emitFourDots(f: FunctionBody, row: Row, at: number, stride: number, sums: Row): void {
  sums.forEach((sum, t) => {
    row.forEach((local, c) => {
      f.get(local).get(at).v128Load(t * stride + 16 * c).f32x4Mul();
      if (c > 0) f.f32x4Add();
    });
    f.set(sum);
  });
  const pairs = (x: number, y: number) => {
    f.get(x).get(y).i8x16Shuffle(EVEN_LANES).get(x).get(y).i8x16Shuffle(ODD_LANES).f32x4Add();
  };
  const [a, b, c, d] = sums;
  pairs(a, b);
  f.set(a); // (Σ½a, Σ½a, Σ½b, Σ½b)
  pairs(c, d);
  f.set(c);
  pairs(a, c); // (Σa, Σb, Σc, Σd)
}

/** Push the largest of the four lanes of local `x` and the f32 in local `scalar`. */
function emitLaneMax(f: FunctionBody, x: number, scalar: number): void {
  f.get(scalar);
  for (let lane = 0; lane < 4; lane++) f.get(x).f32x4ExtractLane(lane).f32Max();
}

/** `row += α · (numbers at the address in local at)`, α in all lanes of local `alpha`. */
function emitAccumulate(f: FunctionBody, row: Row, alpha: number, at: number): void {
  row.forEach((local, c) => {
    f.get(local).get(alpha).get(at).v128Load(16 * c).f32x4Mul().f32x4Add().set(local);
  });
}

/** `(numbers at the address in local at) += α · row`, α in all lanes of local `alpha`. */
function emitScatter(f: FunctionBody, row: Row, alpha: number, at: number): void {
  row.forEach((local, c) => {
    f.get(at).get(at).v128Load(16 * c).get(alpha).get(local).f32x4Mul().f32x4Add();
    f.v128Store(16 * c);
  });
}

/** Load the row at the address in local `at` into `row`, each vector times `scale` if given. */
function emitLoad(f: FunctionBody, row: Row, at: number, scale?: number): void {
  row.forEach((local, c) => {
    f.get(at).v128Load(16 * c);
    if (scale !== undefined) f.get(scale).f32x4Mul();
    f.set(local);
  });
}

/** Store `row` at the address in local `at`. */
function emitStore(f: FunctionBody, row: Row, at: number): void {
  row.forEach((local, c) => void f.get(at).get(local).v128Store(16 * c));
}

/** Zero every vector of `row`. */
function emitZeroRow(f: FunctionBody, row: Row): void {
  for (const local of row) f.f32x4Const(0).set(local);
}

/** `local ← local + step` for each pair, i32 (a step is a local, or a constant). */
function emitAdvance(f: FunctionBody, ...pairs: [number, number | { by: number }][]): void {
  for (const [local, step] of pairs) {
    f.get(local);
    if (typeof step === "number") f.get(step);
    else f.i32Const(step.by);
    f.i32Add().set(local);
  }
}

/**
 * `body` for each key j from the current one (byte offset `j` in a row of Tk numbers) whose
 * weight (at the address in local `weights` + j) is not 0, with the weight in local `weight`;
 * each local in `advance` steps by its amount after every key, skipped or not.
 */
function emitEachSeenKey(
  f: FunctionBody,
  loop: { j: number; tkBytes: number; weights: number; weight: number },
  advance: [number, { by: number }][],
  body: () => void,
): void {
  f.while(() => f.get(loop.j).get(loop.tkBytes).i32LtS(), () => {
    f.get(loop.weights).get(loop.j).i32Add().f32Load().tee(loop.weight).f32Const(0).f32Ne().if();
    body();
    f.end();
    emitAdvance(f, [loop.j, { by: 4 }], ...advance);
  });
}

/**
 * The forward pass over one matrix, for head sizes d = 4·`d4` and dv = 4·`dv4` (fixed when the
 * code is written: each row of q and of the output lives in locals for the whole row).
 */
function forwardBody(d4: number, dv4: number): FunctionBody {
  // q, k, v, mask, maskRowBytes, o, p, scratch, Tq, Tk, hasMask, scale
  const f = new FunctionBody([...Array(11).fill("i32"), "f32"]);
  const [q, k, v, mask, maskRowBytes, o, p, scratch, Tq, Tk, hasMask, scale] = [
    ...Array(12).keys(),
  ];
  const [row, j, tkBytes, padBytes, offset, kj, vj] = Array.from(
    { length: 7 },
    () => f.local("i32"),
  );
  const [score, max, m, inverse, weight] = Array.from({ length: 5 }, () => f.local("f32"));
  const [acc, alpha, sum, diff, scales, max4, m4, s4] = vectorLocals(f, 8);
  const [qi, oi, sums] = [vectorLocals(f, d4), vectorLocals(f, dv4), vectorLocals(f, 4)];
  const e = expLocals(f);
  const c = holdConstants(f, [...EXP_CONSTANTS, 0, HIDDEN]);
  f.get(scale).f32x4Splat().set(scales);
  f.get(Tk).i32Const(4).i32Mul().set(tkBytes);
  f.get(tkBytes).i32Const(12).i32Add().i32Const(-16).i32And().set(padBytes); // whole vectors
  f.i32Const(0).set(row);
  f.while(() => f.get(row).get(Tq).i32LtS(), () => {
    emitLoad(f, qi, q, scales); // q_i · scale
    // scores into the scratch row, and their maximum: 4 keys at a time, then one at a time
    f.f32Const(-Infinity).set(max);
    f.f32x4Const(-Infinity).set(max4);
    f.i32Const(0).set(j).get(k).set(kj);
    f.while(() => f.get(j).i32Const(16).i32Add().get(tkBytes).i32LeS(), () => {
      f.get(hasMask).if().get(mask).get(j).i32Add().v128Load().set(m4).else();
      c(1).set(m4).end();
      f.get(m4).v128AnyTrue().if();
      emitFourDots(f, qi, kj, 16 * d4, sums);
      c(1).get(m4).f32x4Sub();
      c(HIDDEN).f32x4Mul().f32x4Add().set(s4);
      f.else();
      c(HIDDEN).set(s4).end();
      f.get(scratch).get(j).i32Add().get(s4).v128Store();
      f.get(max4).get(s4).f32x4Pmax().set(max4);
      emitAdvance(f, [j, { by: 16 }], [kj, { by: 64 * d4 }]);
    });
    f.while(() => f.get(j).get(tkBytes).i32LtS(), () => {
      f.f32Const(1).set(m);
      f.get(hasMask).if().get(mask).get(j).i32Add().f32Load().set(m).end();
      f.get(m).f32Const(0).f32Ne().if();
      emitDot(f, qi, kj, acc);
      f.f32Const(1).get(m).f32Sub().f32Const(HIDDEN).f32Mul().f32Add().set(score);
      f.else().f32Const(HIDDEN).set(score).end();
      f.get(scratch).get(j).i32Add().get(score).f32Store();
      f.get(max).get(score).f32Max().set(max);
      emitAdvance(f, [j, { by: 4 }], [kj, { by: 16 * d4 }]);
    });
    emitLaneMax(f, max4, max);
    f.set(max);
    // the scratch row's lanes past Tk (up to 3): −∞, weight 0
    f.while(() => f.get(j).get(padBytes).i32LtS(), () => {
      f.get(scratch).get(j).i32Add().f32Const(-Infinity).f32Store();
      emitAdvance(f, [j, { by: 4 }]);
    });
    // exp(s − max), 0 below exp's floor, and the sum
    f.f32x4Const(0).set(sum);
    f.i32Const(0).set(offset);
    f.while(() => f.get(offset).get(padBytes).i32LtS(), () => {
      f.get(scratch).get(offset).i32Add().v128Load().get(max).f32x4Splat().f32x4Sub().set(diff);
      emitExpOrZero(f, diff, e, c); // 0 for hidden keys and the padding lanes
      f.set(alpha);
      f.get(scratch).get(offset).i32Add().get(alpha).v128Store();
      f.get(sum).get(alpha).f32x4Add().set(sum);
      emitAdvance(f, [offset, { by: 16 }]);
    });
    f.f32Const(1);
    emitLaneSum(f, sum);
    f.f32Div().set(inverse);
    // the weights (4 at a time, then one at a time), and the output row as their sum of values
    f.get(inverse).f32x4Splat().set(alpha);
    f.i32Const(0).set(j);
    f.while(() => f.get(j).i32Const(16).i32Add().get(tkBytes).i32LeS(), () => {
      f.get(p).get(j).i32Add();
      f.get(scratch).get(j).i32Add().v128Load().get(alpha).f32x4Mul().v128Store();
      emitAdvance(f, [j, { by: 16 }]);
    });
    f.while(() => f.get(j).get(tkBytes).i32LtS(), () => {
      f.get(p).get(j).i32Add();
      f.get(scratch).get(j).i32Add().f32Load().get(inverse).f32Mul().f32Store();
      emitAdvance(f, [j, { by: 4 }]);
    });
    emitZeroRow(f, oi);
    f.i32Const(0).set(j).get(v).set(vj);
    emitEachSeenKey(f, { j, tkBytes, weights: p, weight }, [[vj, { by: 16 * dv4 }]], () => {
      f.get(weight).f32x4Splat().set(alpha);
      emitAccumulate(f, oi, alpha, vj);
    });
    emitStore(f, oi, o);
    f.get(row).i32Const(1).i32Add().set(row);
    emitAdvance(
      f,
      [q, { by: 16 * d4 }],
      [o, { by: 16 * dv4 }],
      [p, tkBytes],
      [mask, maskRowBytes],
    );
  });
  return f;
}

/** The backward pass over one matrix, for head sizes d = 4·`d4` and dv = 4·`dv4`. */
function backwardBody(d4: number, dv4: number): FunctionBody {
  // q, k, v, p, dO, dW, hasDW, dq, dk, dv, scratch, Tq, Tk, scale
  const f = new FunctionBody([...Array(13).fill("i32"), "f32"]);
  const [q, k, v, p, dO, dW, hasDW, dq, dk, dv, scratch, Tq, Tk, scale] = [...Array(14).keys()];
  const [row, j, tkBytes, offset, end, kj, vj, dkj, dvj] = Array.from(
    { length: 9 },
    () => f.local("i32"),
  );
  const [weight, slope, r] = Array.from({ length: 3 }, () => f.local("f32"));
  const [acc, alpha, r4, p4, dp4] = vectorLocals(f, 5);
  const [qi, gi, dqi, sums] = [d4, dv4, d4, 4].map((count) => vectorLocals(f, count));
  // dk and dv start at 0 (they are sums over the queries)
  for (const [at, width] of [[dk, d4], [dv, dv4]]) {
    f.i32Const(0).set(offset).get(Tk).i32Const(16 * width).i32Mul().set(end);
    f.while(() => f.get(offset).get(end).i32LtS(), () => {
      f.get(at).get(offset).i32Add().f32x4Const(0).v128Store();
      emitAdvance(f, [offset, { by: 16 }]);
    });
  }
  f.get(Tk).i32Const(4).i32Mul().set(tkBytes);
  f.i32Const(0).set(row);
  const loop = { j, tkBytes, weights: p, weight };
  f.while(() => f.get(row).get(Tq).i32LtS(), () => {
    emitLoad(f, qi, q);
    emitLoad(f, gi, dO);
    // dp_j = dO_i · v_j (+ dW_ij) into the scratch row, and r = Σ_j p_ij dp_j: 4 keys at a
    // time (unless all 4 weights are 0), then one at a time
    f.f32Const(0).set(r);
    f.f32x4Const(0).set(r4);
    f.i32Const(0).set(j).get(v).set(vj);
    f.while(() => f.get(j).i32Const(16).i32Add().get(tkBytes).i32LeS(), () => {
      f.get(p).get(j).i32Add().v128Load().tee(p4).v128AnyTrue().if();
      emitFourDots(f, gi, vj, 16 * dv4, sums);
      f.set(dp4);
      f.get(hasDW).if();
      f.get(dp4).get(dW).get(j).i32Add().v128Load().f32x4Add().set(dp4);
      f.end();
      f.get(scratch).get(j).i32Add().get(dp4).v128Store();
      f.get(r4).get(p4).get(dp4).f32x4Mul().f32x4Add().set(r4);
      f.end();
      emitAdvance(f, [j, { by: 16 }], [vj, { by: 64 * dv4 }]);
    });
    emitEachSeenKey(f, loop, [[vj, { by: 16 * dv4 }]], () => {
      emitDot(f, gi, vj, acc);
      f.set(slope);
      f.get(hasDW).if();
      f.get(slope).get(dW).get(j).i32Add().f32Load().f32Add().set(slope);
      f.end();
      f.get(scratch).get(j).i32Add().get(slope).f32Store();
      f.get(r).get(weight).get(slope).f32Mul().f32Add().set(r);
    });
    emitLaneSum(f, r4);
    f.get(r).f32Add().set(r);
    // g_j = p_ij (dp_j − r) · scale: dq_i += g_j k_j, dk_j += g_j q_i; dv_j += p_ij dO_i
    emitZeroRow(f, dqi);
    f.i32Const(0).set(j).get(k).set(kj).get(v).set(vj).get(dk).set(dkj).get(dv).set(dvj);
    emitEachSeenKey(
      f,
      loop,
      [[kj, { by: 16 * d4 }], [dkj, { by: 16 * d4 }], [vj, { by: 16 * dv4 }], [
        dvj,
        { by: 16 * dv4 },
      ]],
      () => {
        f.get(weight).get(scratch).get(j).i32Add().f32Load().get(r).f32Sub().f32Mul();
        f.get(scale).f32Mul().f32x4Splat().set(alpha);
        emitAccumulate(f, dqi, alpha, kj);
        emitScatter(f, qi, alpha, dkj);
        f.get(weight).f32x4Splat().set(alpha);
        emitScatter(f, gi, alpha, dvj);
      },
    );
    emitStore(f, dqi, dq);
    f.get(row).i32Const(1).i32Add().set(row);
    emitAdvance(
      f,
      [q, { by: 16 * d4 }],
      [dO, { by: 16 * dv4 }],
      [p, tkBytes],
      [dW, tkBytes],
      [dq, { by: 16 * d4 }],
    );
  });
  return f;
}

/** Both passes compiled against one heap. */
interface AttentionPasses {
  forward: KernelExport;
  backward: KernelExport;
}

/** Both passes for head sizes 4·d4 and 4·dv4, compiled against `memory`. */
function compileAttention(memory: WebAssembly.Memory, d4: number, dv4: number): AttentionPasses {
  const passes = instantiate([
    { name: "forward", body: forwardBody(d4, dv4) },
    { name: "backward", body: backwardBody(d4, dv4) },
  ], memory);
  return { forward: passes.forward, backward: passes.backward };
}

/** The passes compiled so far for each backend heap, by head sizes. */
const compiled = perHeap((memory) => ({ memory, bySize: new Map<string, AttentionPasses>() }));

/** The passes for head sizes d and dv on the backend's heap (compiled on first use). */
function passesFor(backend: BackendWasm, d: number, dv: number): AttentionPasses {
  const { memory, bySize } = compiled(backend);
  const key = `${d},${dv}`;
  if (!bySize.has(key)) bySize.set(key, compileAttention(memory, d / 4, dv / 4));
  return bySize.get(key)!;
}

/** The largest head size the kernel takes (a head's row is held in registers). */
export const MAX_HEAD_SIZE = 64;

/** A shape's batch axes (all but the last two). */
const batchOf = (shape: readonly number[]) => shape.slice(0, -2);

/**
 * Whether the kernel takes these shapes: q, k, v of one rank ≥ 2 with the same batch axes, q
 * and k of one head size, k and v of one length, both head sizes multiples of 4; a mask of at
 * most q's rank whose last axis has the keys' length and whose axis of queries, if it has one,
 * is 1 or Tq (its batch axes broadcast to q's: the caller checks that). Head sizes run from 4 to
 * {@link MAX_HEAD_SIZE}.
 */
export function attentionKernelFits(
  q: readonly number[],
  k: readonly number[],
  v: readonly number[],
  mask?: readonly number[],
): boolean {
  const rank = q.length;
  if (rank < 2 || k.length !== rank || v.length !== rank) return false;
  const [Tq, d] = q.slice(-2);
  const [Tk, dk] = k.slice(-2);
  const [Tv, dv] = v.slice(-2);
  const sameBatch = tf.util.arraysEqual(batchOf(q), batchOf(k)) &&
    tf.util.arraysEqual(batchOf(q), batchOf(v));
  const fits = sameBatch && dk === d && Tv === Tk &&
    [d, dv].every((size) => size > 0 && size % 4 === 0 && size <= MAX_HEAD_SIZE);
  if (!fits || mask === undefined) return fits;
  const rows = mask.length >= 2 ? mask[mask.length - 2] : 1;
  return mask.length <= rank && mask[mask.length - 1] === Tk && (rows === 1 || rows === Tq);
}

/** Throw unless the kernel takes these tensors, naming the shapes. */
function requireFits(q: tf.TensorInfo, k: tf.TensorInfo, v: tf.TensorInfo, mask?: tf.TensorInfo) {
  if (!attentionKernelFits(q.shape, k.shape, v.shape, mask?.shape)) {
    throw new RangeError(
      `the attention kernel needs q (..., Tq, d), k (..., Tk, d), v (..., Tk, dv) with one batch, ` +
        `d and dv multiples of 4 up to ${MAX_HEAD_SIZE}, and a mask (..., 1 or Tq, Tk); got q [${q.shape}], ` +
        `k [${k.shape}], v [${v.shape}]${mask ? `, mask [${mask.shape}]` : ""}`,
    );
  }
}

/** The sizes of one attention: matrices in the batch, Tq, Tk, d, dv. */
function sizes(q: tf.TensorInfo, v: tf.TensorInfo) {
  const [Tq, d] = q.shape.slice(-2);
  const [Tk, dv] = v.shape.slice(-2);
  return { count: tf.util.sizeFromShape(batchOf(q.shape)), Tq, Tk, d, dv };
}

/** A scratch row of Tk numbers rounded up to whole vectors. */
function scratchRow(backend: BackendWasm, Tk: number): tf.TensorInfo {
  return backend.makeOutput([Math.ceil(Tk / 4) * 4 + 4], "float32");
}

/** Attention on wasm: outputs the attention and the weights. */
const attentionKernel: tf.KernelConfig = {
  kernelName: ATTENTION_KERNEL,
  backendName: "wasm",
  kernelFunc: ({ inputs, attrs, backend }) => {
    const wasm = backend as BackendWasm;
    const { q, k, v, mask } = inputs as unknown as Record<"q" | "k" | "v", tf.TensorInfo> & {
      mask?: tf.TensorInfo;
    };
    const { scale } = attrs as unknown as { scale: number };
    requireFits(q, k, v, mask);
    const { count, Tq, Tk, d, dv } = sizes(q, v);
    const output = wasm.makeOutput([...batchOf(q.shape), Tq, dv], "float32");
    const weights = wasm.makeOutput([...batchOf(q.shape), Tq, Tk], "float32");
    if (count * Tq === 0) return [output, weights];
    if (Tk === 0) {
      (wasm.typedArrayFromHeap(output) as Float32Array).fill(0); // an average of no values
      return [output, weights];
    }
    const scratch = scratchRow(wasm, Tk);
    const at = (t: tf.TensorInfo) => heapAddress(wasm, t);
    const maskRows = mask === undefined || mask.shape.length < 2 ? 1 : mask.shape.at(-2)!;
    const maskIndex = mask && batchIndices(batchOf(q.shape), batchOf(mask.shape));
    const { forward } = passesFor(wasm, d, dv);
    for (let i = 0; i < count; i++) {
      const maskAt = mask ? at(mask) + 4 * (maskIndex?.[i] ?? i) * maskRows * Tk : 0;
      forward(
        at(q) + 4 * i * Tq * d,
        at(k) + 4 * i * Tk * d,
        at(v) + 4 * i * Tk * dv,
        maskAt,
        maskRows === 1 ? 0 : 4 * Tk,
        at(output) + 4 * i * Tq * dv,
        at(weights) + 4 * i * Tq * Tk,
        at(scratch),
        Tq,
        Tk,
        mask ? 1 : 0,
        scale,
      );
    }
    wasm.disposeData(scratch.dataId);
    return [output, weights];
  },
};

/** Its gradient on wasm: outputs dq, dk, dv. */
const attentionGradKernel: tf.KernelConfig = {
  kernelName: ATTENTION_GRAD_KERNEL,
  backendName: "wasm",
  kernelFunc: ({ inputs, attrs, backend }) => {
    const wasm = backend as BackendWasm;
    const { dy, q, k, v, weights, dWeights } = inputs as unknown as
      & Record<
        "dy" | "q" | "k" | "v" | "weights",
        tf.TensorInfo
      >
      & { dWeights?: tf.TensorInfo };
    const { scale } = attrs as unknown as { scale: number };
    requireFits(q, k, v);
    const { count, Tq, Tk, d, dv } = sizes(q, v);
    const grads = [q, k, v].map((t) => wasm.makeOutput(t.shape, "float32"));
    if (count * Tq * Tk === 0) {
      for (const g of grads) (wasm.typedArrayFromHeap(g) as Float32Array).fill(0);
      return grads;
    }
    const scratch = scratchRow(wasm, Tk);
    const at = (t: tf.TensorInfo) => heapAddress(wasm, t);
    const [dq, dk, dvGrad] = grads;
    const { backward } = passesFor(wasm, d, dv);
    for (let i = 0; i < count; i++) {
      backward(
        at(q) + 4 * i * Tq * d,
        at(k) + 4 * i * Tk * d,
        at(v) + 4 * i * Tk * dv,
        at(weights) + 4 * i * Tq * Tk,
        at(dy) + 4 * i * Tq * dv,
        dWeights ? at(dWeights) + 4 * i * Tq * Tk : 0,
        dWeights ? 1 : 0,
        at(dq) + 4 * i * Tq * d,
        at(dk) + 4 * i * Tk * d,
        at(dvGrad) + 4 * i * Tk * dv,
        at(scratch),
        Tq,
        Tk,
        scale,
      );
    }
    wasm.disposeData(scratch.dataId);
    return grads;
  },
};

/**
 * Register both kernels on the wasm backend (once; later calls do nothing). Returns whether they
 * are in place: false where the engine has no WebAssembly SIMD (attention is then its formula).
 * The gradient is wired up where the kernels are used (`fast_ops.ts`).
 */
export function registerWasmAttention(): boolean {
  return registerHeapKernels(
    [attentionKernel, attentionGradKernel],
    (memory) => compileAttention(memory, 1, 1),
  );
}
