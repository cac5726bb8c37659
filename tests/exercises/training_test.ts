import * as tf from "@tensorflow/tfjs";
import { assertEquals } from "../assert.ts";
import {
  type AdamWByHandSettings,
  initCourse,
  type Schedule,
  TRAINING_EXERCISES,
  yourTurn,
} from "../../src/mod.ts";
import { proveCaught, proveChecks, proveNotebookStubs } from "./prove.ts";
import * as solutions from "../../solutions/07_training.ts";

await initCourse();

/**
 * AdamW by hand with one piece changed: `correct` false leaves out the bias correction,
 * `coupled` adds the decay to the gradient (L2, as plain Adam does), `decayAll` decays vectors
 * too, `epsilonInside` puts ε under the square root.
 */
const adamwWith = (
  change: { correct?: boolean; coupled?: boolean; decayAll?: boolean; epsilonInside?: boolean },
) =>
(start: number[], gradients: number[][], settings: AdamWByHandSettings) => {
  const { learningRate, beta1, beta2, epsilon, weightDecay, isMatrix } = settings;
  const { correct = true, coupled = false, decayAll = false, epsilonInside = false } = change;
  const p = [...start];
  const [m, v] = [p.map(() => 0), p.map(() => 0)];
  return gradients.map((gradient, s) => {
    const t = s + 1;
    for (let i = 0; i < p.length; i++) {
      const lambda = isMatrix || decayAll ? weightDecay : 0;
      const g = gradient[i] + (coupled ? lambda * p[i] : 0);
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      v[i] = beta2 * v[i] + (1 - beta2) * g * g;
      const mHat = correct ? m[i] / (1 - beta1 ** t) : m[i];
      const vHat = correct ? v[i] / (1 - beta2 ** t) : v[i];
      const root = epsilonInside ? Math.sqrt(vHat + epsilon) : Math.sqrt(vHat) + epsilon;
      p[i] -= learningRate * (mHat / root + (coupled ? 0 : lambda * p[i]));
    }
    return [...p];
  });
};

Deno.test("lesson 7's exercises: every check passes on the solution, fails on a wrong answer, and a stub is not done", async () => {
  const before = tf.memory().numTensors;
  const ex = TRAINING_EXERCISES;
  await proveChecks(
    "lossInBits",
    ex.lossInBits,
    solutions.lossInBits,
    // multiplying by ln 2 instead of dividing, and the perplexity as 2^loss
    (loss) => ({ bitsPerCharacter: loss * Math.LN2, perplexity: 2 ** loss }),
    () => yourTurn("lossInBits"),
  );
  await proveChecks(
    "learningRate",
    ex.learningRate,
    solutions.learningRate,
    (step, schedule) => 2 * solutions.learningRate(step, schedule),
    () => yourTurn("learningRate"),
  );
  await proveChecks(
    "clipGradients",
    ex.clip,
    solutions.clipGradients,
    (gradients) => gradients.map((g) => g.map((x) => x / 2)),
    () => yourTurn("clipGradients"),
  );
  await proveChecks(
    "adamwSteps",
    ex.adamw,
    solutions.adamwSteps,
    // plain gradient descent: p ← p − lr · g
    (start, gradients, { learningRate }) => {
      const p = [...start];
      return gradients.map((g) => p.map((x, i) => (p[i] = x - learningRate * g[i])));
    },
    () => yourTurn("adamwSteps"),
  );
  // typical mistakes, each caught by some check
  await proveCaught(
    "the perplexity as 2^loss",
    ex.lossInBits,
    (loss) => ({ bitsPerCharacter: loss / Math.LN2, perplexity: 2 ** loss }),
  );
  await proveCaught(
    "warm-up from 0 (step / warmup)",
    ex.learningRate,
    (step, schedule) =>
      step < schedule.warmup
        ? (schedule.max * step) / schedule.warmup
        : solutions.learningRate(step, schedule),
  );
  await proveCaught(
    "the cosine over all the steps, warm-up included",
    ex.learningRate,
    (step, schedule: Schedule) =>
      step < schedule.warmup
        ? solutions.learningRate(step, schedule)
        : solutions.learningRate(step, { ...schedule, warmup: 0 }),
  );
  await proveCaught(
    "a linear decay taken as a cosine",
    ex.learningRate,
    (step, schedule) => solutions.learningRate(step, { ...schedule, decay: "cosine" }),
  );
  await proveCaught(
    "each parameter clipped by its own norm",
    ex.clip,
    (gradients, maxNorm) => gradients.flatMap((g) => solutions.clipGradients([g], maxNorm)),
  );
  await proveCaught(
    "always scaled to the max norm",
    ex.clip,
    (gradients, maxNorm) => {
      const norm = Math.sqrt(gradients.flat().reduce((s, g) => s + g * g, 0));
      return gradients.map((g) => g.map((x) => (x * maxNorm) / norm));
    },
  );
  await proveCaught("no bias correction", ex.adamw, adamwWith({ correct: false }));
  await proveCaught("the decay added to the gradient", ex.adamw, adamwWith({ coupled: true }));
  await proveCaught("vectors decayed too", ex.adamw, adamwWith({ decayAll: true }));
  await proveCaught("ε under the square root", ex.adamw, adamwWith({ epsilonInside: true }));
  // the hand-made variants differ from the solution only where they say
  assertEquals(
    adamwWith({})([0.5, -0.3], [[0.2, 0.1], [0.1, -0.4]], {
      learningRate: 0.01,
      beta1: 0.9,
      beta2: 0.99,
      epsilon: 1e-8,
      weightDecay: 0.1,
      isMatrix: true,
    }),
    solutions.adamwSteps([0.5, -0.3], [[0.2, 0.1], [0.1, -0.4]], {
      learningRate: 0.01,
      beta1: 0.9,
      beta2: 0.99,
      epsilon: 1e-8,
      weightDecay: 0.1,
      isMatrix: true,
    }),
  );
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("lesson 7's committed run shows every exercise not done (the notebook holds stubs, not solutions)", async () => {
  await proveNotebookStubs("07_training.ipynb", TRAINING_EXERCISES);
});
