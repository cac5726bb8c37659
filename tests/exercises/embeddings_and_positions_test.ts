import * as tf from "@tensorflow/tfjs";
import { assertEquals } from "../assert.ts";
import { EMBEDDINGS_AND_POSITIONS_EXERCISES, initCourse, yourTurn } from "../../src/mod.ts";
import { proveCaught, proveChecks, proveNotebookStubs } from "./prove.ts";
import * as solutions from "../../solutions/02_embeddings_and_positions.ts";

await initCourse();

Deno.test("lesson 2's exercises: every check passes on the solution, fails on a wrong answer, and a stub is not done", async () => {
  const before = tf.memory().numTensors;
  const ex = EMBEDDINGS_AND_POSITIONS_EXERCISES;
  const double = (rows: number[][]) => rows.map((row) => row.map((v) => 2 * v));
  await proveChecks(
    "embeddingGradient",
    ex.embeddingGradient,
    solutions.embeddingGradient,
    (vocabSize, ids, dOut) => double(solutions.embeddingGradient(vocabSize, ids, dOut)),
    () => yourTurn("embeddingGradient"),
  );
  await proveChecks(
    "sinusoidal",
    ex.sinusoidal,
    solutions.sinusoidalByHand,
    // sin and cos swapped
    (length, dim, base) =>
      solutions.sinusoidalByHand(length, dim, base).map((row, pos) =>
        row.map((_, c) => {
          const angle = pos * Math.pow(base, (-2 * Math.floor(c / 2)) / dim);
          return c % 2 === 0 ? Math.cos(angle) : Math.sin(angle);
        })
      ),
    () => yourTurn("sinusoidalByHand"),
  );
  await proveChecks(
    "shift",
    ex.shift,
    solutions.sinusoidalShiftByHand,
    (k, dim, base) =>
      solutions.sinusoidalShiftByHand(k, dim, base).map((row) => row.map((v) => -v)),
    () => yourTurn("sinusoidalShiftByHand"),
  );
  await proveChecks(
    "similarity",
    ex.similarity,
    solutions.positionSimilarity,
    (k, dim, base) => (solutions.positionSimilarity(k, dim, base) * dim) / 2, // the dot product
    () => yourTurn("positionSimilarity"),
  );
  // typical mistakes, each caught by some check
  await proveCaught(
    "a repeated id that overwrites its row",
    ex.embeddingGradient,
    (v, ids, dOut) => {
      const gradient = Array.from({ length: v }, () => Array(dOut[0].length).fill(0));
      ids.forEach((id, t) => gradient[id] = [...dOut[t]]);
      return gradient;
    },
  );
  await proveCaught(
    "an odd C's frequencies from C + 1",
    ex.sinusoidal,
    (length, dim, base) =>
      solutions.sinusoidalByHand(length, dim + (dim % 2), base).map((row) => row.slice(0, dim)),
  );
  await proveCaught(
    "an odd C's last column left out",
    ex.sinusoidal,
    (length, dim, base) =>
      solutions.sinusoidalByHand(length, dim, base).map((row) =>
        row.slice(0, 2 * Math.floor(dim / 2))
      ),
  );
  await proveCaught(
    "M_k transposed (a move of −k)",
    ex.shift,
    (k, dim, base) => solutions.sinusoidalShiftByHand(-k, dim, base),
  );
  await proveCaught("ω_i = base^(−i/C)", ex.similarity, (k, dim, base) => {
    let sum = 0;
    for (let i = 0; i < dim / 2; i++) sum += Math.cos(k * Math.pow(base, -i / dim));
    return sum / (dim / 2);
  });
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("lesson 2's committed run shows every exercise not done (the notebook holds stubs, not solutions)", async () => {
  await proveNotebookStubs("02_embeddings_and_positions.ipynb", EMBEDDINGS_AND_POSITIONS_EXERCISES);
});
