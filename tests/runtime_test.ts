import * as tf from "@tensorflow/tfjs";
import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertNotEquals,
  assertThrows,
} from "./assert.ts";
import { gradCheck } from "./gradcheck.ts";
import { readNumbers, writeNumbers } from "../src/runtime/tensor_numbers.ts";
import {
  DEFAULT_SEED,
  gelu,
  geluFormula,
  initCourse,
  QUICK_ENV,
  quickMode,
  Random,
  rng,
  setSeed,
} from "../src/mod.ts";

Deno.test("initCourse selects wasm, and a second call is harmless", async () => {
  const first = await initCourse();
  assertEquals(first.backend, "wasm");
  assertEquals(first.seed, DEFAULT_SEED);
  const kernels = tf.getKernelsForBackend("wasm").length;
  const tensors = tf.memory().numTensors;
  const warnings: unknown[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => warnings.push(args);
  try {
    const second = await initCourse();
    assertEquals(second, first);
  } finally {
    console.warn = warn;
  }
  assertEquals(warnings, [], "a second initCourse warned (duplicate kernel registration?)");
  assertEquals(tf.getKernelsForBackend("wasm").length, kernels);
  assertEquals(tf.memory().numTensors, tensors);
  assertEquals(tf.getBackend(), "wasm");
});

Deno.test("initCourse rejects an unknown backend with a clear message", async () => {
  let message = "";
  try {
    await initCourse({ backend: "webgpu" as "wasm" });
  } catch (error) {
    message = (error as Error).message;
  }
  assertEquals(message, 'backend must be "wasm" or "cpu", got "webgpu"');
});

/** Loss = Σ gather(table, indices, axis) ⊙ weights, so dLoss/dtable scatters the weights. */
function gatherGradient(backend: string, indices: number[] | number[][], axis: number): number[] {
  return tf.tidy(() => {
    const previous = tf.getBackend();
    tf.setBackend(backend);
    try {
      const table = tf.tensor2d(Array.from({ length: 30 }, (_, i) => Math.sin(i)), [6, 5]);
      const idx = tf.tensor(indices, undefined, "int32");
      const probe = tf.gather(table, idx, axis);
      const weights = tf.range(1, probe.size + 1).reshape(probe.shape);
      const grad = tf.grad((t: tf.Tensor) => tf.gather(t, idx, axis).mul(weights).sum())(table);
      return Array.from(grad.dataSync());
    } finally {
      tf.setBackend(previous);
    }
  });
}

Deno.test("the gradient of tf.gather (UnsortedSegmentSum) on wasm equals the cpu one", async () => {
  await initCourse();
  const cases: [number[] | number[][], number][] = [
    [[1, 2, 2, 5, 1], 0], // repeated rows, as in an embedding lookup
    [[[0, 3, 3], [5, 0, 2]], 0], // a (B, T) batch of token ids
    [[4, 0, 4], 1], // along columns: the gradient transposes around the segment sum
    [[], 0], // nothing gathered: zero gradient
  ];
  for (const [indices, axis] of cases) {
    const wasm = gatherGradient("wasm", indices, axis);
    const cpu = gatherGradient("cpu", indices, axis);
    assertEquals(wasm, cpu, `indices ${JSON.stringify(indices)}, axis ${axis}`);
  }
  // Hand-computed: rows 1 and 2 of the table receive the weights of the picks that chose them.
  const grad = gatherGradient("wasm", [2, 2], 0); // weights 1..5 for pick 0, 6..10 for pick 1
  assertEquals(grad.slice(10, 15), [7, 9, 11, 13, 15]);
  assertEquals(grad.filter((g) => g !== 0).length, 5);
});

Deno.test("UnsortedSegmentSum on wasm: known sums, dropped out-of-range ids, int32", async () => {
  await initCourse();
  const before = tf.memory().numTensors;
  const [sums, shape, ints, intType] = tf.tidy(() => {
    const x = tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]);
    const out = tf.unsortedSegmentSum(x, tf.tensor1d([2, 0, 2, 7], "int32"), 3);
    const i = tf.unsortedSegmentSum(
      tf.tensor1d([1, 2, 3], "int32"),
      tf.tensor1d([1, 1, 0], "int32"),
      2,
    );
    return [Array.from(out.dataSync()), out.shape, Array.from(i.dataSync()), i.dtype];
  });
  assertEquals(shape, [3, 2]);
  assertEquals(sums, [3, 4, 0, 0, 6, 8]); // row 0 ← x[1]; row 2 ← x[0] + x[2]; id 7 dropped
  assertEquals(intType, "int32");
  assertEquals(ints, [3, 3]);
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("Sum over leading axes on wasm adds rows: equal bit for bit to summing each column alone", async () => {
  await initCourse();
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    // Widths that take only the one-by-one tail, only whole vectors, and both.
    for (const width of [3, 4, 9, 130]) {
      const x = tf.tensor3d(
        Array.from({ length: 7 * 5 * width }, (_, i) => Math.sin(i) * 10 ** (i % 5)),
        [7, 5, width],
      );
      // The same sums over the last axis, which wasm's own kernel computes (one sequential sum
      // each).
      const columns = tf.sum(tf.transpose(x, [2, 0, 1]).reshape([width, 35]), 1);
      assertEquals(Array.from(tf.sum(x, [0, 1]).dataSync()), Array.from(columns.dataSync()));
    }
    const x = tf.zeros([7, 5, 3]);
    assertEquals(tf.sum(x, [1, 0], true).shape, [1, 1, 3]);
    assertEquals(tf.sum(x, 0).shape, [5, 3]);
    // Reductions that do not lead go to wasm's kernel: the total, and over a middle axis.
    assertAlmostEquals(tf.sum(tf.tensor2d([[1, 2], [3, 4]])).dataSync()[0], 10, 0);
    assertEquals(
      Array.from(tf.sum(tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]), 1).dataSync()),
      [4, 6, 12, 14],
    );
    assertEquals(Array.from(tf.sum(tf.tensor2d([[1, 2], [3, 4]], [2, 2], "int32"), 0).dataSync()), [
      4,
      6,
    ]);
  });
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("gather on wasm: rows copied whole equal the cpu backend's; bad ids are named", async () => {
  await initCourse();
  const before = tf.memory().numTensors;
  const run = (backend: string) =>
    tf.tidy(() => {
      tf.setBackend(backend);
      const table = tf.tensor3d(Array.from({ length: 5 * 2 * 3 }, (_, i) => Math.sin(i)), [
        5,
        2,
        3,
      ]);
      const ids = tf.tensor2d([[4, 0], [2, 2]], [2, 2], "int32");
      const rows = tf.gather(table, ids); // axis 0: whole rows
      const columns = tf.gather(table, tf.tensor1d([2, 0], "int32"), 2); // another axis
      const ints = tf.gather(
        tf.tensor2d([[1, 2], [3, 4]], [2, 2], "int32"),
        tf.tensor1d([1], "int32"),
      );
      const out = {
        shape: rows.shape,
        rows: Array.from(rows.dataSync()),
        columns: Array.from(columns.dataSync()),
        ints: Array.from(ints.dataSync()),
      };
      tf.setBackend("wasm");
      return out;
    });
  const [wasm, cpu] = [run("wasm"), run("cpu")];
  assertEquals(wasm, cpu);
  assertEquals(wasm.shape, [2, 2, 2, 3]);
  assertEquals(wasm.ints, [3, 4]);
  assertThrows(
    () => tf.tidy(() => tf.gather(tf.ones([3, 2]), tf.tensor1d([0, 3], "int32"))),
    /index 3 \(position 1\) is outside \[0, 3\)/,
  );
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("Identity on wasm shares memory: a clone outlives its source and keeps its values", async () => {
  await initCourse();
  const before = tf.memory().numTensors;
  const v = tf.tidy(() => tf.variable(tf.tensor1d([1, 2, 3])));
  const snapshot = tf.clone(v);
  const next = tf.tensor1d([7, 8, 9]);
  v.assign(next);
  tf.dispose([v, next]);
  assertEquals(Array.from(snapshot.dataSync()), [1, 2, 3]);
  snapshot.dispose();
  assertEquals(tf.memory().numTensors, before);
});

/** erf in float64: its Taylor series up to 2.5, the continued fraction of erfc beyond. */
function erf64(z: number): number {
  const a = Math.abs(z);
  if (a <= 2.5) {
    let [term, sum] = [a, a];
    for (let n = 1; Math.abs(term) > 1e-17 * sum; n++) {
      term *= (-a * a) / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(z) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  let fraction = 0;
  for (let k = 60; k >= 1; k--) fraction = k / 2 / (a + fraction);
  return Math.sign(z) * (1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / (a + fraction));
}

/** Φ(x), the standard normal distribution function, in float64. */
const phi64 = (x: number) => 0.5 * (1 + erf64(x / Math.SQRT2));

Deno.test("erf64, the tests' reference, matches tabulated values", () => {
  // erf(0.5), erf(1), erf(2), erf(3) to 15 digits (Abramowitz and Stegun, table 7.1).
  const table = [[0.5, 0.520499877813047], [1, 0.842700792949715], [2, 0.995322265018953], [
    3,
    0.999977909503001,
  ]];
  for (const [z, value] of table) assertAlmostEquals(erf64(z), value, 2e-15);
  assertAlmostEquals(erf64(-1), -0.842700792949715, 2e-15);
  assertAlmostEquals(phi64(-5), 2.866515718791939e-7, 1e-15); // absolute: 1 + erf cancels
});

Deno.test("GELU on wasm: one kernel for GELU and GELU', both within float32 reach of float64", async () => {
  await initCourse();
  const before = tf.memory().numTensors;
  const xs = [
    ...Array.from({ length: 2401 }, (_, i) => -12 + i / 100),
    ...[0, 1e-30, -1e-30, 1e-6, -1e-6, 20, -20, 100, -100, 3.4e38, -3.4e38],
  ];
  const x = tf.tensor1d(xs);
  const profile = await tf.profile(() =>
    tf.tidy(() => [gelu(x), tf.grad((t: tf.Tensor) => gelu(t))(x, tf.onesLike(x))])
  );
  const [y, dx] = (profile.result as tf.Tensor[]).map((t) => t.dataSync());
  tf.dispose([x, ...(profile.result as tf.Tensor[])]);
  const names = new Set(profile.kernelNames);
  assert(names.has("CourseGelu"), `kernels: ${[...names]}`);
  assert(!names.has("Erf"), "the formula ran instead of the kernel");
  // Φ by the formula of Abramowitz and Stegun is within 7.5e-8 of Φ; y = x·Φ adds a float32
  // rounding of y, and the exponential's polynomial a relative 1e-7 of the erfc term.
  let worstY = 0;
  let worstDx = 0;
  xs.forEach((x, i) => {
    const p = phi64(x);
    const density = Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
    const scale = 1 + Math.abs(x);
    worstY = Math.max(worstY, Math.abs(y[i] - x * p) / scale);
    worstDx = Math.max(worstDx, Math.abs(dx[i] - (p + x * density)) / scale);
  });
  assert(worstY < 2e-7, `GELU off by ${worstY} (relative to 1 + |x|)`);
  assert(worstDx < 2e-7, `GELU' off by ${worstDx} (relative to 1 + |x|)`);
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("gelu: the kernels agree with the formula at every size and shape; finite differences agree", async () => {
  await initCourse();
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const valueAndGrad = (f: (t: tf.Tensor) => tf.Tensor, x: tf.Tensor) => {
      const up = tf.sin(tf.range(0, x.size).reshape(x.shape)); // a varied upstream gradient
      return [f(x), tf.grad((t: tf.Tensor) => f(t))(x, up)].map((t) => Array.from(t.dataSync()));
    };
    // Sizes below 4 go through a padded copy, others end with an overlapping last vector.
    for (const shape of [[0], [1], [2], [3], [4], [5], [7], [8], [9], [2, 3, 5], [3, 1, 4, 1]]) {
      const size = shape.reduce((a, b) => a * b, 1);
      const x = tf.tensor(Array.from({ length: size }, (_, i) => 3 * Math.cos(7 * i)), shape);
      const [ours, formula] = [valueAndGrad(gelu, x), valueAndGrad(geluFormula, x)];
      assertEquals(gelu(x).shape, shape);
      for (let k = 0; k < 2; k++) {
        ours[k].forEach((v, i) => assertAlmostEquals(v, formula[k][i], 1e-6, `${shape} ${k} ${i}`));
      }
    }
    const nan = gelu(tf.tensor1d([NaN, 1, -1])).dataSync();
    assert(Number.isNaN(nan[0]) && !Number.isNaN(nan[1]) && !Number.isNaN(nan[2]), `${nan}`);
    const x = tf.tensor2d([[-2.5, -1, -0.3, 0.1], [0.7, 1.2, 2, 3.1]]);
    const r = tf.tensor2d([[0.3, -1.2, 0.8, 2], [-0.5, 1, 0.4, -2]]);
    const { worst } = gradCheck((t) => gelu(t).mul(r).sum(), x);
    assert(worst < 2e-3, `gelu: gradient check off by ${worst}`);
  });
  // Elsewhere gelu is the formula itself.
  tf.setBackend("cpu");
  try {
    tf.tidy(() => {
      const x = tf.tensor1d([-2, -0.5, 0, 0.5, 2]);
      assertEquals(Array.from(gelu(x).dataSync()), Array.from(geluFormula(x).dataSync()));
    });
  } finally {
    tf.setBackend("wasm");
  }
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("the cpu backend prints no 'install tfjs-node' banner", async () => {
  const script = `
    import * as tf from "@tensorflow/tfjs";
    import { initCourse } from "./src/mod.ts";
    const runtime = await initCourse({ backend: "cpu" });
    tf.tensor([1, 2, 3]).square().dataSync();
    console.log("backend", runtime.backend);`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", script],
    cwd: new URL("..", import.meta.url),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 0, text);
  assert(text.includes("backend cpu"), text);
  assert(!/tfjs-node|looks like you are running/i.test(text), `banner printed:\n${text}`);
});

Deno.test("Random: a seed fixes the sequence; values in range; normal has mean 0, variance 1", () => {
  const a = new Random(42);
  const b = new Random(42);
  const first = Array.from({ length: 5 }, () => a.next());
  assertEquals(Array.from({ length: 5 }, () => b.next()), first);
  assertNotEquals(Array.from({ length: 5 }, () => new Random(43).next()), first);
  a.reseed(42);
  assertEquals(a.next(), first[0]);
  const r = new Random(7);
  const ints = Array.from({ length: 10_000 }, () => r.int(6));
  assert(ints.every((i) => Number.isInteger(i) && i >= 0 && i < 6));
  assertEquals(new Set(ints).size, 6);
  const xs = Array.from({ length: 20_000 }, () => r.normal());
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
  assertAlmostEquals(mean, 0, 0.03);
  assertAlmostEquals(variance, 1, 0.05);
  const items = Array.from({ length: 50 }, (_, i) => i);
  const shuffled = r.shuffle([...items]);
  assertNotEquals(shuffled, items);
  assertEquals([...shuffled].sort((p, q) => p - q), items);
});

Deno.test("setSeed makes tfjs random ops seeded through rng repeat", () => {
  const draw = () => {
    setSeed(99);
    return tf.tidy(() =>
      Array.from(tf.randomNormal([4], 0, 1, "float32", rng.tfSeed()).dataSync())
    );
  };
  assertEquals(draw(), draw());
});

Deno.test("Random rejects bad arguments with messages that say what was expected", () => {
  const r = new Random(1);
  assertThrows(() => r.int(0), /^int\(n\) needs a positive integer n, got 0$/);
  assertThrows(() => r.reseed(NaN), /seed must be a finite number, got NaN/);
});

Deno.test("quickMode follows COURSE_QUICK", () => {
  const saved = Deno.env.get(QUICK_ENV);
  try {
    Deno.env.set(QUICK_ENV, "1");
    assert(quickMode());
    Deno.env.set(QUICK_ENV, "0");
    assert(!quickMode());
    Deno.env.delete(QUICK_ENV);
    assert(!quickMode());
  } finally {
    if (saved === undefined) Deno.env.delete(QUICK_ENV);
    else Deno.env.set(QUICK_ENV, saved);
  }
});

Deno.test("readNumbers and writeNumbers: in place on wasm for an unshared variable, a copy otherwise", async () => {
  for (const backend of ["wasm", "cpu"] as const) {
    await initCourse({ backend });
    const before = tf.memory().numTensors;
    const initial = tf.tensor2d([[1, 2], [3, 4]]);
    const v = tf.variable(initial);
    initial.dispose();
    const values = new Float32Array([5, 6, 7, 8]);
    const memory = v.dataId;
    writeNumbers(v, values);
    assertEquals(v.dataId === memory, backend === "wasm", `${backend}: written in place or not`);
    values.fill(0); // the variable does not follow the array it was given
    assertEquals(Array.from(readNumbers(v)), [5, 6, 7, 8], backend);
    // A clone shares the variable's memory on wasm: writing must leave the clone as it was.
    const snapshot = tf.clone(v);
    writeNumbers(v, new Float32Array([9, 9, 9, 9]));
    assert(v.dataId !== snapshot.dataId, `${backend}: a shared variable gets new memory`);
    assertEquals(Array.from(snapshot.dataSync()), [5, 6, 7, 8], `${backend}: the clone is kept`);
    assertEquals(Array.from(v.dataSync()), [9, 9, 9, 9], backend);
    assertThrows(() => writeNumbers(v, new Float32Array(3)), /has 4 numbers, got 3/);
    tf.tidy(() => void assertThrows(() => readNumbers(tf.tensor1d([1], "int32")), /float32/));
    tf.dispose([v, snapshot]);
    assertEquals(tf.memory().numTensors, before, `${backend}: no tensors left behind`);
  }
  await initCourse();
});
