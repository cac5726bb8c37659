/**
 * LayerNorm and RMSNorm, and their gradients, as kernels of the wasm backend, written in
 * WebAssembly SIMD and run on the numbers where they lie in the backend's heap
 * (`nn/layer_norm.ts` and `nn/rms_norm.ts` state the forward formulas, `fast_ops.ts` the
 * backward); per row of C numbers (one token's vector):
 *
 *     forward:   mean, then σ = √(mean((x − mean)²) + ε), then x̂ = (x − mean) / σ, y = γ x̂ + β
 *     backward:  g = dy γ;  dx = (g − mean(g) − x̂ mean(g x̂)) / σ;  dγ += dy x̂;  dβ += dy
 *
 * RMSNorm is the same without the centring and the bias: mean and mean(g) are 0 and β is absent
 * (σ is then the root mean square). Both are written by one pair of functions, with `centred`
 * saying which. The forward keeps x̂ and 1/σ for the backward. Each loop over a row runs 4 numbers at a time
 * and then one at a time for the last C mod 4, written once for both widths ({@link Lanes}).
 * Sums are float32, in 4 running lanes added at the end of the row (as a vectorised float32
 * LayerNorm elsewhere does); the tests bound the results against float64.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { FunctionBody, instantiate } from "./assembler.ts";
import { heapAddress, perHeap, registerHeapKernels } from "./heap.ts";

/** The name of the LayerNorm kernel: inputs `x`, `gain`, `bias`, attribute `epsilon`; outputs y, x̂, 1/σ. */
export const LAYER_NORM_KERNEL = "CourseLayerNorm";
/**
 * The name of LayerNorm's gradient kernel: inputs `dy`, `normalised` (x̂), `inverseSigma`, `gain`;
 * outputs dx, dγ, dβ.
 */
export const LAYER_NORM_GRAD_KERNEL = "CourseLayerNormGrad";
/** The name of the RMSNorm kernel: inputs `x`, `gain`, attribute `epsilon`; outputs y, x̂, 1/σ. */
export const RMS_NORM_KERNEL = "CourseRMSNorm";
/**
 * The name of RMSNorm's gradient kernel: inputs `dy`, `normalised` (x̂), `inverseSigma`, `gain`;
 * outputs dx, dγ.
 */
export const RMS_NORM_GRAD_KERNEL = "CourseRMSNormGrad";

/** A value held twice: as one f32, and in a vector (for the 4-wide loops). */
interface Pair {
  scalar: number;
  vector: number;
}

/** The instructions of one loop width: 4 numbers (SIMD) or 1. */
interface Lanes {
  /** Bytes a step covers. */
  bytes: number;
  load(): void;
  store(): void;
  add(): void;
  sub(): void;
  mul(): void;
  zero(): void;
  /** The local of `pair` at this width. */
  of(pair: Pair): number;
}

function lanes(f: FunctionBody): { vector: Lanes; scalar: Lanes } {
  return {
    vector: {
      bytes: 16,
      load: () => f.v128Load(),
      store: () => f.v128Store(),
      add: () => f.f32x4Add(),
      sub: () => f.f32x4Sub(),
      mul: () => f.f32x4Mul(),
      zero: () => f.f32x4Const(0),
      of: (pair) => pair.vector,
    },
    scalar: {
      bytes: 4,
      load: () => f.f32Load(),
      store: () => f.f32Store(),
      add: () => f.f32Add(),
      sub: () => f.f32Sub(),
      mul: () => f.f32Mul(),
      zero: () => f.f32Const(0),
      of: (pair) => pair.scalar,
    },
  };
}

/** A function body with helpers for loops over the columns of a row. */
class RowFunction {
  readonly f: FunctionBody;
  readonly #lanes: { vector: Lanes; scalar: Lanes };
  /** Byte offset of the current column within the row. */
  readonly column: number;
  /** Bytes in a row (4 C). */
  readonly rowBytes: number;
  /** The parameter holding C, the numbers in a row. */
  readonly #columns: number;

  constructor(params: ("i32" | "f32")[], columns: number) {
    this.f = new FunctionBody(params);
    this.#columns = columns;
    this.#lanes = lanes(this.f);
    this.column = this.f.local("i32");
    this.rowBytes = this.f.local("i32");
    this.f.get(columns).i32Const(4).i32Mul().set(this.rowBytes);
  }

  /** A new pair of locals. */
  pair(): Pair {
    return { scalar: this.f.local("f32"), vector: this.f.local("v128") };
  }

  /** Set both halves of `pair` to the f32 the code in `value` pushes. */
  setPair(pair: Pair, value: () => void): void {
    value();
    this.f.set(pair.scalar).get(pair.scalar).f32x4Splat().set(pair.vector);
  }

  /**
   * Push the row's mean from its running sums `sum`: its four lanes and its scalar added up,
   * over C.
   */
  mean(sum: Pair): void {
    const f = this.f;
    f.get(sum.vector).f32x4ExtractLane(0).get(sum.vector).f32x4ExtractLane(1).f32Add();
    f.get(sum.vector).f32x4ExtractLane(2).get(sum.vector).f32x4ExtractLane(3).f32Add();
    f.f32Add().get(sum.scalar).f32Add();
    f.get(this.#columns).f32ConvertI32S().f32Div();
  }

  /** Zero both halves of `pair`. */
  zero(pair: Pair): void {
    this.f.f32Const(0).set(pair.scalar).f32x4Const(0).set(pair.vector);
  }

  /** Push the address of the current column of the row starting at local `base`. */
  at(base: number): void {
    this.f.get(base).get(this.column).i32Add();
  }

  /** `body` for every column: 4 at a time while 4 remain, then one at a time. */
  columns(body: (lanes: Lanes) => void): void {
    const f = this.f;
    const { vector, scalar } = this.#lanes;
    f.i32Const(0).set(this.column);
    for (const [width, fits] of [[vector, 16], [scalar, 4]] as const) {
      f.while(() => f.get(this.column).i32Const(fits).i32Add().get(this.rowBytes).i32LeS(), () => {
        body(width);
        f.get(this.column).i32Const(width.bytes).i32Add().set(this.column);
      });
    }
  }

  /** Advance each row pointer in `bases` by one row. */
  nextRow(bases: number[]): void {
    for (const base of bases) this.f.get(base).get(this.rowBytes).i32Add().set(base);
  }
}

/**
 * Forward. LayerNorm (`centred`): parameters (x, gain, bias, y, x̂, 1/σ, rows, C, ε); RMSNorm:
 * (x, gain, y, x̂, 1/σ, rows, C, ε). Addresses in bytes.
 */
function forwardBody(centred: boolean): FunctionBody {
  const names = centred
    ? ["x", "gain", "bias", "y", "normalised", "inverse", "rows", "C", "epsilon"]
    : ["x", "gain", "y", "normalised", "inverse", "rows", "C", "epsilon"];
  const [x, gain, bias, y, normalised, inverse, rows, C, epsilon] = [
    "x",
    "gain",
    "bias",
    "y",
    "normalised",
    "inverse",
    "rows",
    "C",
    "epsilon",
  ].map((name) => names.indexOf(name));
  const k = new RowFunction([...names.slice(0, -1).map(() => "i32" as const), "f32"], C);
  const f = k.f;
  const row = f.local("i32");
  const [sum, mean, scale, centredValue] = [k.pair(), k.pair(), k.pair(), k.pair()];
  /** Push x − mean (LayerNorm) or x (RMSNorm) at the current column. */
  const shifted = (L: Lanes) => {
    k.at(x);
    L.load();
    if (centred) {
      f.get(L.of(mean));
      L.sub();
    }
  };
  f.i32Const(0).set(row);
  f.while(() => f.get(row).get(rows).i32LtS(), () => {
    if (centred) {
      k.zero(sum);
      k.columns((L) => {
        f.get(L.of(sum));
        k.at(x);
        L.load();
        L.add();
        f.set(L.of(sum));
      });
      k.setPair(mean, () => k.mean(sum));
    }
    k.zero(sum);
    k.columns((L) => {
      shifted(L);
      f.tee(L.of(centredValue)).get(L.of(centredValue));
      L.mul();
      f.get(L.of(sum));
      L.add();
      f.set(L.of(sum));
    });
    k.setPair(scale, () => {
      f.f32Const(1);
      k.mean(sum);
      f.get(epsilon).f32Add().f32Sqrt().f32Div();
    });
    f.get(inverse).get(row).i32Const(4).i32Mul().i32Add().get(scale.scalar).f32Store();
    k.columns((L) => {
      k.at(normalised);
      shifted(L);
      f.get(L.of(scale));
      L.mul();
      f.tee(L.of(centredValue));
      L.store();
      k.at(y);
      f.get(L.of(centredValue));
      k.at(gain);
      L.load();
      L.mul();
      if (centred) {
        k.at(bias);
        L.load();
        L.add();
      }
      L.store();
    });
    k.nextRow([x, y, normalised]);
    f.get(row).i32Const(1).i32Add().set(row);
  });
  return f;
}

/**
 * Backward. LayerNorm (`centred`): parameters (dy, x̂, 1/σ, gain, dx, dγ, dβ, rows, C); RMSNorm:
 * (dy, x̂, 1/σ, gain, dx, dγ, rows, C). Addresses in bytes.
 */
function backwardBody(centred: boolean): FunctionBody {
  const names = centred
    ? ["dy", "normalised", "inverse", "gain", "dx", "dGain", "dBias", "rows", "C"]
    : ["dy", "normalised", "inverse", "gain", "dx", "dGain", "rows", "C"];
  const [dy, normalised, inverse, gain, dx, dGain, dBias, rows, C] = [
    "dy",
    "normalised",
    "inverse",
    "gain",
    "dx",
    "dGain",
    "dBias",
    "rows",
    "C",
  ].map((name) => names.indexOf(name));
  const k = new RowFunction(names.map(() => "i32" as const), C);
  const f = k.f;
  const row = f.local("i32");
  const [sumG, sumGX, meanG, meanGX, scale, g] = [
    k.pair(),
    k.pair(),
    k.pair(),
    k.pair(),
    k.pair(),
    k.pair(),
  ];
  k.columns((L) => {
    for (const sums of centred ? [dGain, dBias] : [dGain]) {
      k.at(sums);
      L.zero();
      L.store();
    }
  });
  f.i32Const(0).set(row);
  f.while(() => f.get(row).get(rows).i32LtS(), () => {
    k.zero(sumG);
    k.zero(sumGX);
    k.columns((L) => {
      // g = dy γ;  Σ g (LayerNorm);  Σ g x̂
      k.at(dy);
      L.load();
      k.at(gain);
      L.load();
      L.mul();
      if (centred) {
        f.tee(L.of(g)).get(L.of(sumG));
        L.add();
        f.set(L.of(sumG)).get(L.of(g));
      }
      k.at(normalised);
      L.load();
      L.mul();
      f.get(L.of(sumGX));
      L.add();
      f.set(L.of(sumGX));
      // dβ += dy (LayerNorm);  dγ += dy x̂
      if (centred) {
        k.at(dBias);
        k.at(dBias);
        L.load();
        k.at(dy);
        L.load();
        L.add();
        L.store();
      }
      k.at(dGain);
      k.at(dGain);
      L.load();
      k.at(dy);
      L.load();
      k.at(normalised);
      L.load();
      L.mul();
      L.add();
      L.store();
    });
    if (centred) k.setPair(meanG, () => k.mean(sumG));
    k.setPair(meanGX, () => k.mean(sumGX));
    k.setPair(scale, () => f.get(inverse).get(row).i32Const(4).i32Mul().i32Add().f32Load());
    k.columns((L) => {
      // dx = (dy γ − mean(g) − x̂ mean(g x̂)) / σ, without mean(g) for RMSNorm
      k.at(dx);
      k.at(dy);
      L.load();
      k.at(gain);
      L.load();
      L.mul();
      if (centred) {
        f.get(L.of(meanG));
        L.sub();
      }
      k.at(normalised);
      L.load();
      f.get(L.of(meanGX));
      L.mul();
      L.sub();
      f.get(L.of(scale));
      L.mul();
      L.store();
    });
    k.nextRow([dy, normalised, dx]);
    f.get(row).i32Const(1).i32Add().set(row);
  });
  return f;
}

/** The passes of both norms, compiled against one heap. */
interface NormPasses {
  forward(...args: number[]): void;
  backward(...args: number[]): void;
  rmsForward(...args: number[]): void;
  rmsBackward(...args: number[]): void;
}

function compileNorms(memory: WebAssembly.Memory): NormPasses {
  return instantiate([
    { name: "forward", body: forwardBody(true) },
    { name: "backward", body: backwardBody(true) },
    { name: "rmsForward", body: forwardBody(false) },
    { name: "rmsBackward", body: backwardBody(false) },
  ], memory) as unknown as NormPasses;
}

/** The passes compiled against the backend's heap. */
const passesFor = perHeap(compileNorms);

/** Throw unless every tensor is float32 and `vectors` have C numbers, C the last axis of `x`. */
function checkShapes(name: string, x: tf.TensorInfo, vectors: tf.TensorInfo[]): number {
  const C = x.shape[x.shape.length - 1] ?? 1;
  for (const t of [x, ...vectors]) {
    if (t.dtype !== "float32") throw new TypeError(`${name} needs float32 tensors, got ${t.dtype}`);
  }
  for (const v of vectors) {
    if (v.shape.length !== 1 || v.shape[0] !== C) {
      throw new RangeError(`${name}: expected gain and bias of shape [${C}], got [${v.shape}]`);
    }
  }
  return C;
}

/** The forward kernel of LayerNorm (`centred`, with a bias) or of RMSNorm. */
function forwardKernel(centred: boolean): tf.KernelConfig {
  const name = centred ? "LayerNorm" : "RMSNorm";
  return {
    kernelName: centred ? LAYER_NORM_KERNEL : RMS_NORM_KERNEL,
    backendName: "wasm",
    kernelFunc: ({ inputs, attrs, backend }) => {
      const wasm = backend as BackendWasm;
      const { x, gain, bias } = inputs as unknown as Record<"x" | "gain" | "bias", tf.TensorInfo>;
      const { epsilon } = attrs as unknown as { epsilon: number };
      const C = checkShapes(name, x, centred ? [gain, bias] : [gain]);
      const rows = tf.util.sizeFromShape(x.shape) / C;
      const y = wasm.makeOutput(x.shape, "float32");
      const normalised = wasm.makeOutput(x.shape, "float32");
      const inverse = wasm.makeOutput([rows], "float32");
      const address = (t: tf.TensorInfo) => heapAddress(wasm, t);
      const tensors = centred
        ? [x, gain, bias, y, normalised, inverse]
        : [x, gain, y, normalised, inverse];
      const passes = passesFor(wasm);
      (centred ? passes.forward : passes.rmsForward)(...tensors.map(address), rows, C, epsilon);
      return [y, normalised, inverse];
    },
  };
}

/** The gradient kernel of LayerNorm (`centred`: outputs dx, dγ, dβ) or of RMSNorm (dx, dγ). */
function backwardKernel(centred: boolean): tf.KernelConfig {
  const name = `${centred ? "LayerNorm" : "RMSNorm"} gradient`;
  return {
    kernelName: centred ? LAYER_NORM_GRAD_KERNEL : RMS_NORM_GRAD_KERNEL,
    backendName: "wasm",
    kernelFunc: ({ inputs, backend }) => {
      const wasm = backend as BackendWasm;
      const { dy, normalised, inverseSigma, gain } = inputs as unknown as Record<
        "dy" | "normalised" | "inverseSigma" | "gain",
        tf.TensorInfo
      >;
      const C = checkShapes(name, dy, [gain]);
      if (dy.shape.join() !== normalised.shape.join()) {
        throw new RangeError(
          `${name}: dy [${dy.shape}] and x̂ [${normalised.shape}] must agree`,
        );
      }
      const rows = tf.util.sizeFromShape(dy.shape) / C;
      const dx = wasm.makeOutput(dy.shape, "float32");
      const dGain = wasm.makeOutput([C], "float32");
      const dBias = centred ? wasm.makeOutput([C], "float32") : undefined;
      const address = (t: tf.TensorInfo) => heapAddress(wasm, t);
      const tensors = [dy, normalised, inverseSigma, gain, dx, dGain, ...(dBias ? [dBias] : [])];
      const passes = passesFor(wasm);
      (centred ? passes.backward : passes.rmsBackward)(...tensors.map(address), rows, C);
      return dBias ? [dx, dGain, dBias] : [dx, dGain];
    },
  };
}

/**
 * Register the kernels of both norms on the wasm backend (once; later calls do nothing).
 * Returns whether they are in place: false where the engine has no WebAssembly SIMD (the norms
 * are then computed by their formulas in tensor operations).
 */
export function registerWasmNorms(): boolean {
  return registerHeapKernels(
    [forwardKernel(true), backwardKernel(true), forwardKernel(false), backwardKernel(false)],
    compileNorms,
  );
}
