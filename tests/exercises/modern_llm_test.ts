import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "../assert.ts";
import {
  checkExercise,
  type Exercise,
  initCourse,
  MODERN_LLM_EXERCISES,
  yourTurn,
} from "../../src/mod.ts";
import * as solutions from "../../solutions/12_modern_llm.ts";

await initCourse();

/**
 * Check that every check of `exercise` passes on `solution`, fails on `wrong` (an answer wrong
 * everywhere), and that a stub is "not done".
 */
async function proveChecks<T>(name: string, exercise: Exercise<T>, solution: T, wrong: T, stub: T) {
  const solved = await checkExercise(exercise, solution);
  assertEquals(solved.status, "passed", `${name}: ${solved}`);
  assert(solved.outcomes.length >= 3, `${name}: only ${solved.outcomes.length} checks`);
  const failed = await checkExercise(exercise, wrong);
  assertEquals(failed.status, "failed", `${name}: ${failed}`);
  assert(failed.outcomes.every((o) => !o.passed && o.hint), `${name}: a check passed: ${failed}`);
  const notDone = await checkExercise(exercise, stub);
  assertEquals(notDone.status, "not done", `${name}: ${notDone}`);
  assert(String(notDone).includes("not done yet"), String(notDone));
}

/** SwiGLU's width with 8C/3 rounded to the nearest instead of down: a wrong answer. */
const roundedWidth = (dModel: number, multiple: number) =>
  Math.ceil(Math.round((8 * dModel) / 3) / multiple) * multiple;

Deno.test("lesson 12's exercises: every check passes on the solution, fails on a wrong answer, and a stub is not done", async () => {
  const before = tf.memory().numTensors;
  const ex = MODERN_LLM_EXERCISES;
  await proveChecks(
    "kvCacheBytes",
    ex.kvCacheBytes,
    solutions.kvCacheBytes,
    (config, bytes) => solutions.kvCacheBytes(config, bytes) / 2,
    () => yourTurn("kvCacheBytes"),
  );
  await proveChecks(
    "swigluWidth",
    ex.swigluWidth,
    solutions.swigluWidth,
    (dModel, multiple) => roundedWidth(dModel, multiple) + 1,
    () => yourTurn("swigluWidth"),
  );
  await proveChecks(
    "llamaParameters",
    ex.llamaParameters,
    solutions.llamaParameters,
    (config) => solutions.llamaParameters(config) - config.dModel, // forgetting the final norm
    () => yourTurn("llamaParameters"),
  );
  await proveChecks(
    "rmsNormGrad",
    ex.rmsNormGrad,
    solutions.rmsNormGrad,
    // the gradient as if σ did not depend on x: g / σ
    (x, gain, dy, epsilon) => {
      const sigma = Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length + epsilon);
      return dy.map((d, i) => (d * gain[i]) / sigma);
    },
    () => yourTurn("rmsNormGrad"),
  );
  // rounding to the nearest, and a default width of 4C: each caught by some check
  const rounded = await checkExercise(ex.swigluWidth, roundedWidth);
  assertEquals(rounded.status, "failed", String(rounded));
  const fourC = await checkExercise(
    ex.llamaParameters,
    (config) => solutions.llamaParameters({ ...config, dFF: config.dFF ?? 4 * config.dModel }),
  );
  assertEquals(fourC.status, "failed", String(fourC));
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("lesson 12's committed run shows every exercise not done (the notebook holds stubs, not solutions)", async () => {
  const notebook = JSON.parse(
    await Deno.readTextFile(new URL("../../notebooks/12_modern_llm.ipynb", import.meta.url)),
  ) as { cells: { cell_type: string; outputs?: { data?: Record<string, string | string[]> }[] }[] };
  const texts = notebook.cells.flatMap((cell) =>
    (cell.outputs ?? []).map((o) => [o.data?.["text/plain"] ?? ""].flat().join(""))
  );
  for (const exercise of Object.values(MODERN_LLM_EXERCISES)) {
    const report = texts.filter((text) => text.startsWith(exercise.title));
    assertEquals(report.length, 1, `${exercise.title}: ${report.length} reports in the notebook`);
    assert(report[0].includes("not done yet"), report[0]);
  }
});
