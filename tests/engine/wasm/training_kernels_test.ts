import * as tf from "@tensorflow/tfjs";
import { assertAlmostEquals, assertEquals, assertThrows } from "../../assert.ts";
import { initCourse } from "../../../src/mod.ts";

await initCourse();

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
