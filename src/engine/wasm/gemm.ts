/**
 * A matrix-product kernel for the wasm backend, written in WebAssembly by hand
 * (`assembler.ts`) and run on the backend's own heap, so no data is copied in or out.
 *
 * `C (M×N) = A (M×K) · B (K×N)`. B is first packed into panels of {@link NR} columns: panel
 * `j` holds `B[k, 8j … 8j+7]` for k = 0 … K−1, one after another, zero-padded past column N.
 * The kernel then computes C in tiles of {@link MR} rows × 8 columns. A tile's 48 sums live in
 * twelve 4-lane SIMD registers for the whole loop over k; each step loads one row of the panel
 * (two registers), reads one number from each of the tile's six rows of A, and does twelve
 * 4-lane multiply-adds (`f32x4.relaxed_madd`, one fused instruction on processors with FMA).
 * A is read in place, row-major, and the loop over k is unrolled 4× with the numbers of A at
 * constant offsets; a transposed A is first transposed by {@link Gemm.transpose} (4 × 4 blocks).
 * B's strides are used while packing, so a transposed B costs nothing.
 *
 * Each sum runs over k in order, one multiply-add at a time: the result does not depend on the
 * tile it was computed in, and is the same from run to run.
 *
 * @module
 */
import { FunctionBody, instantiate } from "./assembler.ts";

/** Rows of C per tile. */
export const MR = 6;
/** Columns of C per tile (and of B per packed panel): two 4-lane registers. */
export const NR = 8;
/** Steps of k per loop iteration (a power of two). */
const UNROLL = 4;
const UNROLL_SHIFT = Math.log2(UNROLL);

/** Strided view of a matrix in the heap, in float32 elements. */
export interface MatrixView {
  /** Index of element (0, 0) in the heap's Float32Array. */
  offset: number;
  /** Distance between rows. */
  rowStride: number;
  /** Distance between columns. */
  colStride: number;
}

/** Floats a packed B of K rows and N columns takes (N rounded up to a multiple of {@link NR}). */
export function packedSize(K: number, N: number): number {
  return Math.ceil(N / NR) * NR * K;
}

/** The compiled kernel bound to one heap. */
export interface Gemm {
  /** `C = A · B` with A row-major at float index `a`, B packed at `packed`, C row-major at `c`. */
  multiply(
    a: number,
    packed: number,
    c: number,
    shape: { M: number; K: number; N: number },
    scratch: number,
  ): void;
  /** Pack the K×N matrix `b` into panels at float index `packed` (see {@link packedSize}). */
  pack(b: MatrixView, packed: number, K: number, N: number): void;
  /** Write the transpose of the row-major `rows × cols` matrix at float index `from` to `to`. */
  transpose(from: number, to: number, rows: number, cols: number): void;
}

/**
 * Compile the kernel against `memory` (the backend's heap). `scratch` areas passed to
 * {@link Gemm.multiply} need {@link MR}·{@link NR} floats.
 *
 * @param fused multiply-add in one instruction (`f32x4.relaxed_madd`, the fast kernel), or as a
 *   multiply and an add, each rounded: slower, but then every sum is exactly the one XNNPACK
 *   (the wasm backend's own plain product) computes, which tests use to check the indexing.
 */
export function compileGemm(memory: WebAssembly.Memory, fused = true): Gemm {
  const { gemm, pack, transpose } = instantiate([
    { name: "gemm", body: gemmBody(fused) },
    { name: "pack", body: packBody() },
    { name: "transpose", body: transposeBody() },
  ], memory);
  return {
    multiply(a, packed, c, { M, K, N }, scratch) {
      if (M <= 0 || K <= 0 || N <= 0) {
        throw new RangeError(`gemm: sizes must be positive, got M=${M} K=${K} N=${N}`);
      }
      gemm(4 * a, 4 * packed, 4 * c, M, N, K, 4 * scratch);
    },
    pack(b, packed, K, N) {
      pack(4 * b.offset, 4 * b.rowStride, 4 * b.colStride, 4 * packed, K, N);
    },
    transpose(from, to, rows, cols) {
      transpose(4 * from, 4 * to, rows, cols);
    },
  };
}

/**
 * `min(limit, total − start)` on the stack: what is left of `total` from `start`, at most `limit`.
 */
function remaining(f: FunctionBody, limit: number, total: number, start: number): void {
  f.i32Const(limit).get(total).get(start).i32Sub();
  f.get(start).i32Const(limit).i32Add().get(total).i32LeS().select();
}

/** The end of a do-while loop: `counter += step`, and go round again while `counter < limit`. */
function next(f: FunctionBody, counter: number, step: number, limit: number): void {
  f.get(counter).i32Const(step).i32Add().tee(counter).get(limit).i32LtS().brIf(0);
}

/** The kernel's code; see the module comment for the algorithm. */
function gemmBody(fused: boolean): FunctionBody {
  // Parameters: addresses in bytes, sizes in elements.
  const f = new FunctionBody([
    "i32", // 0 a: address of A[0, 0] (row-major)
    "i32", // 1 packed: address of packed B
    "i32", // 2 c: address of C[0, 0] (row-major)
    "i32", // 3 M
    "i32", // 4 N
    "i32", // 5 K
    "i32", // 6 scratch: address of an MR × NR area for partial tiles
  ]);
  const [a, packed, c, M, N, K, scratch] = [0, 1, 2, 3, 4, 5, 6];
  const [rowA, rowC, n0, m0, panel, pb, k, dst, stride, full, rows, cols, i, j] = Array.from(
    { length: 14 },
    () => f.local("i32"),
  );
  const rowPointers = Array.from({ length: MR }, () => f.local("i32"));
  const sums = Array.from({ length: MR }, () => [f.local("v128"), f.local("v128")]);
  const [b0, b1, splat] = [f.local("v128"), f.local("v128"), f.local("v128")];

  f.get(K).i32Const(4).i32Mul().set(rowA).get(N).i32Const(4).i32Mul().set(rowC);
  f.i32Const(0).set(n0).get(packed).set(panel);
  f.loop(); // over panels of columns
  {
    f.i32Const(0).set(m0);
    f.loop(); // over tiles of rows
    {
      // Row pointers; rows past M repeat row M−1 (computed, never stored).
      for (let r = 0; r < MR; r++) {
        f.get(a);
        f.get(m0).i32Const(r).i32Add();
        f.get(M).i32Const(1).i32Sub();
        f.get(m0).i32Const(r).i32Add().get(M).i32LtS();
        f.select().get(rowA).i32Mul().i32Add().set(rowPointers[r]);
      }
      for (const [s0, s1] of sums) f.f32x4Const(0).set(s0).f32x4Const(0).set(s1);
      f.get(panel).set(pb);
      // `steps` steps of k, unrolled: each loads a row of the panel, reads one number from each
      // row of A (at a constant offset from its pointer) and does twelve multiply-adds.
      const kSteps = (steps: number) => {
        for (let step = 0; step < steps; step++) {
          f.get(pb).v128Load(32 * step).set(b0).get(pb).v128Load(32 * step + 16).set(b1);
          for (let r = 0; r < MR; r++) {
            const [s0, s1] = sums[r];
            f.get(rowPointers[r]).v128Load32Splat(4 * step).set(splat);
            for (const [b, sum] of [[b0, s0], [b1, s1]]) {
              if (fused) f.get(splat).get(b).get(sum).f32x4RelaxedMadd().set(sum);
              else f.get(splat).get(b).f32x4Mul().get(sum).f32x4Add().set(sum);
            }
          }
        }
        for (const p of rowPointers) f.get(p).i32Const(4 * steps).i32Add().set(p);
        f.get(pb).i32Const(4 * NR * steps).i32Add().set(pb);
      };
      // `count` times `body`, none if count is 0.
      const repeat = (count: number, body: () => void) => {
        f.get(count).if().loop();
        body();
        f.get(count).i32Const(1).i32Sub().tee(count).brIf(0);
        f.end().end();
      };
      // Blocks of UNROLL steps, then the K mod UNROLL steps left one by one.
      f.get(K).i32Const(UNROLL_SHIFT).i32ShrU().set(k);
      repeat(k, () => kSteps(UNROLL));
      f.get(K).i32Const(UNROLL - 1).i32And().set(k);
      repeat(k, () => kSteps(1));
      // A whole tile goes straight to C; a partial one through the scratch area.
      f.get(m0).i32Const(MR).i32Add().get(M).i32LeS();
      f.get(n0).i32Const(NR).i32Add().get(N).i32LeS();
      f.i32And().set(full);
      f.get(full).if();
      f.get(c).get(m0).get(rowC).i32Mul().i32Add().get(n0).i32Const(4).i32Mul().i32Add().set(dst);
      f.get(rowC).set(stride);
      f.else();
      f.get(scratch).set(dst).i32Const(4 * NR).set(stride);
      f.end();
      for (const [s0, s1] of sums) {
        f.get(dst).get(s0).v128Store(0);
        f.get(dst).get(s1).v128Store(16);
        f.get(dst).get(stride).i32Add().set(dst);
      }
      f.get(full).i32Eqz().if();
      {
        remaining(f, MR, M, m0);
        f.set(rows);
        remaining(f, NR, N, n0);
        f.set(cols);
        f.i32Const(0).set(i);
        f.loop();
        {
          f.i32Const(0).set(j);
          f.loop();
          {
            // C[m0 + i, n0 + j] = scratch[i, j]
            f.get(c).get(m0).get(i).i32Add().get(rowC).i32Mul().i32Add();
            f.get(n0).get(j).i32Add().i32Const(4).i32Mul().i32Add();
            f.get(scratch).get(i).i32Const(4 * NR).i32Mul().i32Add();
            f.get(j).i32Const(4).i32Mul().i32Add().f32Load();
            f.f32Store();
            next(f, j, 1, cols);
          }
          f.end();
          next(f, i, 1, rows);
        }
        f.end();
      }
      f.end();
      next(f, m0, MR, M);
    }
    f.end();
    f.get(panel).get(K).i32Const(4 * NR).i32Mul().i32Add().set(panel);
    next(f, n0, NR, N);
  }
  f.end();
  return f;
}

/** Packing B into panels (see the module comment): whole rows of 8 as two SIMD copies. */
function packBody(): FunctionBody {
  const f = new FunctionBody([
    "i32", // 0 b: address of B[0, 0]
    "i32", // 1 rowB: bytes between rows of B
    "i32", // 2 colB: bytes between columns of B
    "i32", // 3 out: address of the packed panels
    "i32", // 4 K
    "i32", // 5 N
  ]);
  const [b, rowB, colB, out, K, N] = [0, 1, 2, 3, 4, 5];
  const n0 = f.local("i32");
  const k = f.local("i32");
  const from = f.local("i32");
  const width = f.local("i32");
  const t = f.local("i32");
  f.i32Const(0).set(n0);
  f.loop(); // over panels
  {
    remaining(f, NR, N, n0);
    f.set(width); // columns of this panel
    f.get(b).get(n0).get(colB).i32Mul().i32Add().set(from);
    f.i32Const(0).set(k);
    f.loop(); // over k
    {
      f.get(width).i32Const(NR).i32Eq().get(colB).i32Const(4).i32Eq().i32And().if();
      // A whole row of the panel lies side by side in B: copy it as two vectors.
      f.get(out).get(from).v128Load(0).v128Store(0);
      f.get(out).get(from).v128Load(16).v128Store(16);
      f.else();
      // Otherwise number by number, zeros past column N.
      f.get(out).f32x4Const(0).v128Store(0).get(out).f32x4Const(0).v128Store(16);
      f.i32Const(0).set(t);
      f.loop();
      {
        f.get(out).get(t).i32Const(4).i32Mul().i32Add();
        f.get(from).get(t).get(colB).i32Mul().i32Add().f32Load();
        f.f32Store();
        next(f, t, 1, width);
      }
      f.end();
      f.end();
      f.get(out).i32Const(4 * NR).i32Add().set(out);
      f.get(from).get(rowB).i32Add().set(from);
      next(f, k, 1, K);
    }
    f.end();
    next(f, n0, NR, N);
  }
  f.end();
  return f;
}

/**
 * Transposing a row-major matrix, in blocks of 4 × 4: four rows loaded as vectors, shuffled
 * into four columns, stored as the output's rows; the edges number by number.
 */
function transposeBody(): FunctionBody {
  const f = new FunctionBody([
    "i32", // 0 from: address of the matrix
    "i32", // 1 to: address of its transpose
    "i32", // 2 R: rows
    "i32", // 3 C: columns
  ]);
  const [from, to, R, C] = [0, 1, 2, 3];
  const r = f.local("i32");
  const c = f.local("i32");
  const i = f.local("i32");
  const rowBytes = f.local("i32"); // 4·C: between rows of the matrix
  const columnBytes = f.local("i32"); // 4·R: between rows of the transpose
  const p = f.local("i32");
  const rows = [f.local("v128"), f.local("v128"), f.local("v128"), f.local("v128")];
  const pairs = [f.local("v128"), f.local("v128"), f.local("v128"), f.local("v128")];
  /** Byte lanes of i8x16.shuffle that pick these float lanes (0–3 first vector, 4–7 second). */
  const floats = (lanes: number[]) =>
    lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]);
  const lessOrEqual = (a: () => void, b: number) => () => (a(), f.get(b).i32LeS());
  // out[c·R + r] = in[r·C + c], one number
  const one = () => {
    f.get(to).get(c).get(R).i32Mul().get(r).i32Add().i32Const(4).i32Mul().i32Add();
    f.get(from).get(r).get(C).i32Mul().get(c).i32Add().i32Const(4).i32Mul().i32Add().f32Load();
    f.f32Store();
  };
  f.get(C).i32Const(4).i32Mul().set(rowBytes).get(R).i32Const(4).i32Mul().set(columnBytes);
  f.i32Const(0).set(r);
  f.while(lessOrEqual(() => f.get(r).i32Const(4).i32Add(), R), () => {
    f.i32Const(0).set(c);
    f.while(lessOrEqual(() => f.get(c).i32Const(4).i32Add(), C), () => {
      // rows r … r+3, columns c … c+3
      f.get(from).get(r).get(C).i32Mul().get(c).i32Add().i32Const(4).i32Mul().i32Add().set(p);
      rows.forEach((row, k) => {
        f.get(p).v128Load().set(row);
        if (k < 3) f.get(p).get(rowBytes).i32Add().set(p);
      });
      // pairs: (a0 b0 a1 b1), (a2 b2 a3 b3), (c0 d0 c1 d1), (c2 d2 c3 d3)
      [[0, 0, [0, 4, 1, 5]], [1, 0, [2, 6, 3, 7]], [2, 2, [0, 4, 1, 5]], [3, 2, [2, 6, 3, 7]]]
        .forEach(([out, first, lanes]) => {
          f.get(rows[first as number]).get(rows[(first as number) + 1]);
          f.i8x16Shuffle(floats(lanes as number[])).set(pairs[out as number]);
        });
      f.get(to).get(c).get(R).i32Mul().get(r).i32Add().i32Const(4).i32Mul().i32Add().set(p);
      // columns: (a0 b0 c0 d0), (a1 b1 c1 d1), (a2 b2 c2 d2), (a3 b3 c3 d3)
      [[0, [0, 1, 4, 5]], [0, [2, 3, 6, 7]], [1, [0, 1, 4, 5]], [1, [2, 3, 6, 7]]].forEach(
        ([pair, lanes], k) => {
          f.get(p).get(pairs[pair as number]).get(pairs[(pair as number) + 2]);
          f.i8x16Shuffle(floats(lanes as number[])).v128Store();
          if (k < 3) f.get(p).get(columnBytes).i32Add().set(p);
        },
      );
      f.get(c).i32Const(4).i32Add().set(c);
    });
    // the columns left over, for these four rows
    f.while(() => f.get(c).get(C).i32LtS(), () => {
      f.get(r).set(i);
      for (let k = 0; k < 4; k++) {
        one();
        f.get(r).i32Const(1).i32Add().set(r);
      }
      f.get(i).set(r);
      f.get(c).i32Const(1).i32Add().set(c);
    });
    f.get(r).i32Const(4).i32Add().set(r);
  });
  // the rows left over, whole
  f.while(() => f.get(r).get(R).i32LtS(), () => {
    f.i32Const(0).set(c);
    f.while(() => f.get(c).get(C).i32LtS(), () => {
      one();
      f.get(c).i32Const(1).i32Add().set(c);
    });
    f.get(r).i32Const(1).i32Add().set(r);
  });
  return f;
}
