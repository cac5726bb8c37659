import * as tf from "@tensorflow/tfjs";
import { assertEquals } from "../assert.ts";
import { initCourse, MODERN_LLM_EXERCISES, yourTurn } from "../../src/mod.ts";
import { proveCaught, proveChecks, proveNotebookStubs } from "./prove.ts";
import * as solutions from "../../solutions/12_modern_llm.ts";

await initCourse();

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
  await proveCaught("rounding 8C/3 to the nearest", ex.swigluWidth, roundedWidth);
  await proveCaught(
    "a default width of 4C",
    ex.llamaParameters,
    (config) => solutions.llamaParameters({ ...config, dFF: config.dFF ?? 4 * config.dModel }),
  );
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("lesson 12's committed run shows every exercise not done (the notebook holds stubs, not solutions)", async () => {
  await proveNotebookStubs("12_modern_llm.ipynb", MODERN_LLM_EXERCISES);
});
