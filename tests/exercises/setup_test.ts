import * as tf from "@tensorflow/tfjs";
import { assertEquals } from "../assert.ts";
import { initCourse, SETUP_EXERCISES, yourTurn } from "../../src/mod.ts";
import { proveCaught, proveChecks, proveNotebookStubs } from "./prove.ts";
import * as solutions from "../../solutions/00_setup.ts";

await initCourse();

Deno.test("lesson 0's exercises: every check passes on the solution, fails on a wrong answer, and a stub is not done", async () => {
  const before = tf.memory().numTensors;
  const ex = SETUP_EXERCISES;
  await proveChecks(
    "meanAndStd",
    ex.meanAndStd,
    solutions.meanAndStd,
    // the sample standard deviation, divided by n − 1
    (values) => {
      const { mean, std } = solutions.meanAndStd(values);
      return { mean, std: std * Math.sqrt(values.length / (values.length - 1)) };
    },
    () => yourTurn("meanAndStd"),
  );
  await proveChecks(
    "matMulShape",
    ex.matMulShape,
    solutions.matMulShape,
    (a, b) => [...a.slice(0, -1), b.at(-2)!], // (m, k) for (m, n), and never null
    () => yourTurn("matMulShape"),
  );
  await proveChecks(
    "broadcastShape",
    ex.broadcastShape,
    solutions.broadcastShape,
    (a, b) => {
      const shape = solutions.broadcastShape(a, b);
      return shape === null ? [] : [...shape, 1]; // an axis too many, and never null
    },
    () => yourTurn("broadcastShape"),
  );
  await proveChecks(
    "rowLengths",
    ex.rowLengths,
    solutions.rowLengths,
    (x) => x.square().sum(1) as tf.Tensor1D, // no square root, and the squares left behind
    () => yourTurn("rowLengths"),
  );
  // typical mistakes, each caught by some check
  await proveCaught("n − 1 in one case only", ex.meanAndStd, (values) => {
    const { mean, std } = solutions.meanAndStd(values);
    return { mean, std: values.length === 8 ? std * Math.sqrt(8 / 7) : std };
  });
  await proveCaught("batches never compared", ex.matMulShape, (a, b) => {
    const [m, k] = a.slice(-2);
    const [inner, n] = b.slice(-2);
    return k === inner ? [...(a.length === 3 ? a.slice(0, 1) : b.slice(0, -2)), m, n] : null;
  });
  await proveCaught("batches that must be equal (a batch of 1 refused)", ex.matMulShape, (a, b) => {
    const [batchA, batchB] = [a.slice(0, -2), b.slice(0, -2)];
    const refused = batchA.length > 0 && batchB.length > 0 && batchA[0] !== batchB[0];
    return refused ? null : solutions.matMulShape(a, b);
  });
  await proveCaught("shapes lined up from the left", ex.broadcastShape, (a, b) => {
    const rank = Math.max(a.length, b.length);
    const pad = (s: number[]) => [...s, ...Array(rank - s.length).fill(1)];
    return solutions.broadcastShape(pad(a), pad(b));
  });
  await proveCaught("the larger size at every axis, never null", ex.broadcastShape, (a, b) => {
    const rank = Math.max(a.length, b.length);
    return Array.from(
      { length: rank },
      (_, i) => Math.max(a[a.length - rank + i] ?? 1, b[b.length - rank + i] ?? 1),
    );
  });
  await proveCaught(
    "the right lengths, intermediates left behind",
    ex.rowLengths,
    (x) => x.square().sum(1).sqrt() as tf.Tensor1D,
  );
  await proveCaught("the input disposed", ex.rowLengths, (x) => {
    const lengths = solutions.rowLengths(x);
    x.dispose();
    return lengths;
  });
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("lesson 0's committed run shows every exercise not done (the notebook holds stubs, not solutions)", async () => {
  await proveNotebookStubs("00_setup.ipynb", SETUP_EXERCISES);
});
