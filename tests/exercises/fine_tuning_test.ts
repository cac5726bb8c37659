import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "../assert.ts";
import { checkExercise, initCourse, yourTurn } from "../../src/mod.ts";
import { FINE_TUNING_EXERCISES } from "../../src/mod.ts";
import { proveCaught, proveChecks, proveNotebookStubs } from "./prove.ts";
import * as solutions from "../../solutions/13_fine_tuning.ts";

await initCourse();

const ex = FINE_TUNING_EXERCISES;

Deno.test("lesson 13's exercises: every check passes on the solution, fails on a wrong answer, and a stub is not done", async () => {
  const before = tf.memory().numTensors;
  await proveChecks(
    "spamMetrics",
    ex.spamMetrics,
    solutions.spamMetrics,
    // accuracy forgetting the true negatives (every case has some)
    (tp, fp, fn, tn) => ({
      ...solutions.spamMetrics(tp, fp, fn, tn),
      accuracy: tp / (tp + fp + fn + tn),
    }),
    () => yourTurn("spamMetrics"),
  );
  await proveChecks(
    "loraParameterCount",
    ex.loraParameterCount,
    solutions.loraParameterCount,
    (config, rank) => config.numLayers * 4 * rank * config.dModel, // A only, and no GQA
    () => yourTurn("loraParameterCount"),
  );
  await proveChecks(
    "mergeAdapter",
    ex.mergeAdapter,
    solutions.mergeAdapter,
    (weight) => weight, // the adapter left out
    () => yourTurn("mergeAdapter"),
  );
  await proveChecks(
    "lastTokenStates",
    ex.lastTokenStates,
    solutions.lastTokenStates,
    (hidden) => hidden.map((row) => row[0]), // the first token: it has read nothing else
    () => yourTurn("lastTokenStates"),
  );
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("lesson 13's exercises catch the typical mistakes", async () => {
  const before = tf.memory().numTensors;
  // 1: 0 / 0 left as NaN; F1 as the plain mean; precision and recall swapped
  await proveCaught("precision 0 / 0 = NaN", ex.spamMetrics, (tp, fp, fn, tn) => ({
    ...solutions.spamMetrics(tp, fp, fn, tn),
    precision: tp / (tp + fp),
  }));
  await proveCaught("F1 as (P + R) / 2", ex.spamMetrics, (tp, fp, fn, tn) => {
    const s = solutions.spamMetrics(tp, fp, fn, tn);
    return { ...s, f1: (s.precision + s.recall) / 2 };
  });
  await proveCaught("precision and recall swapped", ex.spamMetrics, (tp, fp, fn, tn) => {
    const s = solutions.spamMetrics(tp, fp, fn, tn);
    return { ...s, precision: s.recall, recall: s.precision };
  });
  // 2: W_K and W_V taken as C × C; full matrices counted; one block only
  await proveCaught(
    "no grouped-query attention",
    ex.loraParameterCount,
    (config, rank) => solutions.loraParameterCount({ ...config, numKVHeads: undefined }, rank),
  );
  await proveCaught(
    "in · out per projection",
    ex.loraParameterCount,
    (config) => config.numLayers * 4 * config.dModel * config.dModel,
  );
  await proveCaught(
    "one block only",
    ex.loraParameterCount,
    (config, rank) => solutions.loraParameterCount({ ...config, numLayers: 1 }, rank),
  );
  // 3: the scale forgotten, or α instead of α / r
  await proveCaught(
    "no α / r",
    ex.mergeAdapter,
    (weight, down, up, _alpha, rank) => solutions.mergeAdapter(weight, down, up, rank, rank),
  );
  await proveCaught(
    "α instead of α / r",
    ex.mergeAdapter,
    (weight, down, up, alpha) => solutions.mergeAdapter(weight, down, up, alpha, 1),
  );
  // 4: the last position (padding), one past the last real token, the mean of the real tokens,
  // and answers of the wrong shape (the check must still free its model)
  await proveCaught(
    "the last position",
    ex.lastTokenStates,
    (hidden) => hidden.map((row) => row[row.length - 1]),
  );
  await proveCaught(
    "one past the last real token",
    ex.lastTokenStates,
    (hidden, lengths) => hidden.map((row, b) => row[lengths[b]]),
  );
  await proveCaught(
    "the mean of the real tokens",
    ex.lastTokenStates,
    (hidden, lengths) =>
      hidden.map((row, b) =>
        row[0].map((_, c) => row.slice(0, lengths[b]).reduce((s, h) => s + h[c], 0) / lengths[b])
      ),
  );
  await proveCaught("no rows", ex.lastTokenStates, () => []);
  await proveCaught("the whole hidden states", ex.lastTokenStates, (hidden) => hidden as never);
  await proveCaught("a throw", ex.lastTokenStates, () => {
    throw new Error("oops");
  });
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("lesson 13's exercises: the checks name the course's values", async () => {
  const report = String(await checkExercise(ex.loraParameterCount, solutions.loraParameterCount));
  // lesson 13's model: 4 blocks of r · (2 · (128 + 128) + 2 · (128 + 64)), r = 8
  assert(report.includes("sotuGPTConfig(2048)), rank 8: 28,672"), report);
  const metrics = String(await checkExercise(ex.spamMetrics, solutions.spamMetrics));
  assert(
    metrics.includes("never says spam (TP 0, FP 0, FN 12, TN 88): accuracy 0.88, precision 0"),
    metrics,
  );
});

Deno.test(
  "lesson 13's committed run shows every exercise not done (the notebook holds stubs, not solutions)",
  async () => {
    await proveNotebookStubs("13_fine_tuning.ipynb", FINE_TUNING_EXERCISES);
  },
);
