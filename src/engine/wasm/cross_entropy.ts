/**
 * Cross-entropy of logits, as one kernel of the wasm backend forward and one backward, the
 * exponentials in WebAssembly SIMD (`exp.ts`). `nn/cross_entropy.ts` states the formula; per row
 * x of V logits, with target t, label smoothing ε and L = log Σ_j exp(x_j) (the log-sum-exp):
 *
 *     forward:   loss = L − (1 − ε)·x_t − ε·mean(x)          (0 for a row whose target is ignored)
 *     backward:  dx_j = s·(exp(x_j − L) − ε/V) − s·(1 − ε)·[j = t],   s = dy / (rows counted)
 *
 * The mean loss is over the rows counted (those whose target is not the ignored id, at least one).
 * As tensor operations the same loss is a log-softmax (a maximum, a subtraction, an exponential,
 * a sum, a logarithm), a one-hot product and its sums forward and as many backward, each over a
 * `(rows, V)` matrix: with lesson 13's 2,048 tokens, a sixth of a training step. Here the
 * forward reads each logit three times (maximum, exponentials, the plain sum for ε) and keeps L
 * per row; the backward writes each gradient once.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { emitLaneSum, FunctionBody, instantiate, type KernelExport } from "./assembler.ts";
import { emitExpOrZero, EXP_CONSTANTS, expLocals, holdConstants } from "./exp.ts";
import { heapAddress, heapMemory, perHeap, registerHeapKernels } from "./heap.ts";

/**
 * The name of the cross-entropy kernel: inputs `logits` `(N, V)` float32 and `targets` `(N)`
 * int32; attributes `smoothing` (ε), `ignoring` and `ignoreId` (the target left out, if
 * `ignoring`); outputs the
 * mean loss (a scalar) and the log-sum-exp of each row `(N)`.
 */
export const CROSS_ENTROPY_KERNEL = "CourseCrossEntropy";
/**
 * The name of its gradient kernel: inputs `dy` (a scalar), `logits`, `targets` and
 * `logSumExp`; the same attributes; output the gradient of the logits.
 */
export const CROSS_ENTROPY_GRAD_KERNEL = "CourseCrossEntropyGrad";

/** The passes over one row, compiled against one heap; addresses in bytes. */
interface RowPasses {
  /** (row, V, scratch): the row's maximum m and Σ exp(x − m) to scratch + 16 and + 20. */
  forward: KernelExport;
  /** (row, V, scratch): the row's plain sum Σ x to scratch + 16. */
  sum: KernelExport;
  /** (row, out, V, scratch, L, s, offset): out_j = s·exp(x_j − L) − offset. */
  backward: KernelExport;
}

/** Locals of a pass over a row: its address and length, a scratch area, and loop counters. */
interface RowLocals {
  row: number;
  V: number;
  scratch: number;
  /** The address of the current vector. */
  at: number;
  /** The end of the row's whole vectors. */
  end: number;
  j: number;
}

/** Locals of a row pass, the first three its parameters (row, V, scratch). */
function rowLocals(f: FunctionBody): RowLocals {
  return { row: 0, V: 1, scratch: 2, at: f.local("i32"), end: f.local("i32"), j: f.local("i32") };
}

/**
 * `body` for every vector of the row: the ⌊V/4⌋ whole ones where they lie, then (if V mod 4 > 0)
 * a vector at `scratch` holding the last V mod 4 numbers and `fill` in its other lanes; the
 * address is in local `at`. `last` runs after `body` on that last vector.
 */
function emitRowVectors(
  f: FunctionBody,
  l: RowLocals,
  fill: number,
  body: () => void,
  last?: () => void,
): void {
  f.get(l.row).set(l.at);
  f.get(l.row).get(l.V).i32Const(-4).i32And().i32Const(4).i32Mul().i32Add().set(l.end);
  f.while(() => f.get(l.at).get(l.end).i32LtU(), () => {
    body();
    f.get(l.at).i32Const(16).i32Add().set(l.at);
  });
  f.get(l.V).i32Const(3).i32And().if();
  for (let lane = 0; lane < 4; lane++) f.get(l.scratch).f32Const(fill).f32Store(4 * lane);
  emitTail(f, l, () => {
    f.get(l.scratch).get(l.j).i32Add().get(l.end).get(l.j).i32Add().f32Load().f32Store();
  });
  f.get(l.scratch).set(l.at);
  body();
  last?.();
  f.end();
}

/** `body` for byte offsets j = 0, 4, … of the row's last V mod 4 numbers (past `end`). */
function emitTail(f: FunctionBody, l: RowLocals, body: () => void): void {
  f.i32Const(0).set(l.j);
  f.while(
    () => f.get(l.end).get(l.j).i32Add().get(l.row).get(l.V).i32Const(4).i32Mul().i32Add().i32LtU(),
    () => {
      body();
      f.get(l.j).i32Const(4).i32Add().set(l.j);
    },
  );
}

function forwardBody(): FunctionBody {
  const f = new FunctionBody(["i32", "i32", "i32"]);
  const l = rowLocals(f);
  const [max, sum, diff] = [f.local("v128"), f.local("v128"), f.local("v128")];
  const e = expLocals(f);
  const best = f.local("f32");
  const c = holdConstants(f, [...EXP_CONSTANTS, 0]);
  f.f32x4Const(-Infinity).set(max);
  emitRowVectors(f, l, -Infinity, () => void f.get(max).get(l.at).v128Load().f32x4Pmax().set(max));
  f.get(max).f32x4ExtractLane(0);
  for (let lane = 1; lane < 4; lane++) f.get(max).f32x4ExtractLane(lane).f32Max();
  f.set(best);
  f.f32x4Const(0).set(sum);
  emitRowVectors(f, l, -Infinity, () => {
    f.get(l.at).v128Load().get(best).f32x4Splat().f32x4Sub().set(diff);
    f.get(sum);
    emitExpOrZero(f, diff, e, c);
    f.f32x4Add().set(sum);
  });
  f.get(l.scratch).get(best).f32Store(16);
  f.get(l.scratch);
  emitLaneSum(f, sum);
  f.f32Store(20);
  return f;
}

function sumBody(): FunctionBody {
  const f = new FunctionBody(["i32", "i32", "i32"]);
  const l = rowLocals(f);
  const total = f.local("v128");
  f.f32x4Const(0).set(total);
  emitRowVectors(f, l, 0, () => void f.get(total).get(l.at).v128Load().f32x4Add().set(total));
  f.get(l.scratch);
  emitLaneSum(f, total);
  f.f32Store(16);
  return f;
}

function backwardBody(): FunctionBody {
  // row, V, scratch, out, L, s, offset
  const f = new FunctionBody(["i32", "i32", "i32", "i32", "f32", "f32", "f32"]);
  const l = rowLocals(f);
  const [out, L, s, offset] = [3, 4, 5, 6];
  const [diff, scales, offsets, lse] = Array.from({ length: 4 }, () => f.local("v128"));
  const e = expLocals(f);
  const c = holdConstants(f, [...EXP_CONSTANTS, 0]);
  f.get(L).f32x4Splat().set(lse).get(s).f32x4Splat().set(scales);
  f.get(offset).f32x4Splat().set(offsets);
  // the result goes where x was read, offset into out: out + (at − row)
  const result = () => {
    f.get(l.at).v128Load().get(lse).f32x4Sub().set(diff);
    emitExpOrZero(f, diff, e, c);
    f.get(scales).f32x4Mul().get(offsets).f32x4Sub();
  };
  emitRowVectors(
    f,
    l,
    0,
    () => {
      f.get(l.at).get(l.scratch).i32Eq().if();
      f.get(l.scratch);
      result();
      f.v128Store();
      f.else();
      f.get(out).get(l.at).get(l.row).i32Sub().i32Add();
      result();
      f.v128Store();
      f.end();
    },
    () =>
      emitTail(f, l, () => {
        f.get(out).get(l.end).get(l.row).i32Sub().i32Add().get(l.j).i32Add();
        f.get(l.scratch).get(l.j).i32Add().f32Load().f32Store();
      }),
  );
  return f;
}

function compileRows(memory: WebAssembly.Memory): RowPasses {
  const passes = instantiate([
    { name: "forward", body: forwardBody() },
    { name: "sum", body: sumBody() },
    { name: "backward", body: backwardBody() },
  ], memory);
  return { forward: passes.forward, sum: passes.sum, backward: passes.backward };
}

/** The passes compiled against the backend's heap. */
const passesFor = perHeap(compileRows);

/** The attributes of both kernels. */
interface CrossEntropyAttributes {
  smoothing: number;
  ignoring: boolean;
  ignoreId: number;
}

/** The target id left out, or `undefined`. */
function ignoredId(attrs: unknown): number | undefined {
  const { ignoring, ignoreId } = attrs as CrossEntropyAttributes;
  return ignoring ? ignoreId : undefined;
}

/** The shapes both kernels take: logits (N, V), V ≥ 1, and targets (N). */
function requireShapes(logits: tf.TensorInfo, targets: tf.TensorInfo): { N: number; V: number } {
  if (
    logits.shape.length !== 2 || targets.shape.length !== 1 ||
    targets.shape[0] !== logits.shape[0] || logits.shape[1] < 1
  ) {
    throw new RangeError(
      `the cross-entropy kernel needs logits (N, V) and targets (N), got logits ` +
        `[${logits.shape}] and targets [${targets.shape}]`,
    );
  }
  return { N: logits.shape[0], V: logits.shape[1] };
}

/** A scratch area of 8 numbers (a padded vector, then results). */
const scratchArea = (backend: BackendWasm) => backend.makeOutput([8], "float32");

/** Cross-entropy on wasm: outputs the mean loss and each row's log-sum-exp. */
const crossEntropyKernel: tf.KernelConfig = {
  kernelName: CROSS_ENTROPY_KERNEL,
  backendName: "wasm",
  kernelFunc: ({ inputs, attrs, backend }) => {
    const wasm = backend as BackendWasm;
    const { logits, targets } = inputs as unknown as Record<"logits" | "targets", tf.TensorInfo>;
    const { smoothing } = attrs as unknown as CrossEntropyAttributes;
    const ignoreId = ignoredId(attrs);
    const { N, V } = requireShapes(logits, targets);
    const loss = wasm.makeOutput([], "float32");
    const logSumExp = wasm.makeOutput([N], "float32");
    const scratch = scratchArea(wasm);
    const passes = passesFor(wasm);
    const ids = wasm.typedArrayFromHeap(targets) as Int32Array;
    const [first, at] = [heapAddress(wasm, logits), heapAddress(wasm, scratch)];
    const heap = new Float32Array(heapMemory(wasm).buffer);
    const [x, lse, results] = [first / 4, heapAddress(wasm, logSumExp) / 4, at / 4 + 4];
    let total = 0;
    let counted = 0;
    for (let i = 0; i < N; i++) {
      passes.forward(first + 4 * i * V, V, at);
      const L = heap[results] + Math.log(heap[results + 1]);
      heap[lse + i] = L;
      if (ids[i] === ignoreId) continue;
      let rowLoss = L - (1 - smoothing) * heap[x + i * V + ids[i]];
      if (smoothing > 0) {
        passes.sum(first + 4 * i * V, V, at);
        rowLoss -= smoothing * heap[results] / V;
      }
      total += rowLoss;
      counted++;
    }
    heap[heapAddress(wasm, loss) / 4] = total / Math.max(counted, 1);
    wasm.disposeData(scratch.dataId);
    return [loss, logSumExp];
  },
};

/** Its gradient on wasm: the gradient of the logits. */
const crossEntropyGradKernel: tf.KernelConfig = {
  kernelName: CROSS_ENTROPY_GRAD_KERNEL,
  backendName: "wasm",
  kernelFunc: ({ inputs, attrs, backend }) => {
    const wasm = backend as BackendWasm;
    const { dy, logits, targets, logSumExp } = inputs as unknown as Record<
      "dy" | "logits" | "targets" | "logSumExp",
      tf.TensorInfo
    >;
    const { smoothing } = attrs as unknown as CrossEntropyAttributes;
    const ignoreId = ignoredId(attrs);
    const { N, V } = requireShapes(logits, targets);
    const dx = wasm.makeOutput([N, V], "float32");
    const scratch = scratchArea(wasm);
    const ids = wasm.typedArrayFromHeap(targets) as Int32Array;
    const lse = wasm.typedArrayFromHeap(logSumExp) as Float32Array;
    let counted = 0;
    for (let i = 0; i < N; i++) if (ids[i] !== ignoreId) counted++;
    const s = (wasm.typedArrayFromHeap(dy) as Float32Array)[0] / Math.max(counted, 1);
    const out = wasm.typedArrayFromHeap(dx) as Float32Array;
    const { backward } = passesFor(wasm);
    const [first, at, to] = [
      heapAddress(wasm, logits),
      heapAddress(wasm, scratch),
      heapAddress(wasm, dx),
    ];
    for (let i = 0; i < N; i++) {
      if (ids[i] === ignoreId) {
        out.fill(0, i * V, (i + 1) * V);
        continue;
      }
      backward(first + 4 * i * V, V, at, to + 4 * i * V, lse[i], s, s * smoothing / V);
      out[i * V + ids[i]] -= s * (1 - smoothing);
    }
    wasm.disposeData(scratch.dataId);
    return dx;
  },
};

/**
 * Register both kernels on the wasm backend (once; later calls do nothing). Returns whether they
 * are in place: false where the engine has no WebAssembly SIMD (the loss is then its formula).
 */
export function registerWasmCrossEntropy(): boolean {
  return registerHeapKernels([crossEntropyKernel, crossEntropyGradKernel], compileRows);
}
