import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "../assert.ts";
import {
  GENERATION_EXERCISES,
  initCourse,
  nextTokenDistribution,
  yourTurn,
} from "../../src/mod.ts";
import { proveCaught, proveChecks, proveNotebookStubs } from "./prove.ts";
import * as solutions from "../../solutions/08_generation.ts";

await initCourse();

Deno.test("lesson 8's exercises: every check passes on the solution, fails on a wrong answer, and a stub is not done", async () => {
  const before = tf.memory().numTensors;
  const ex = GENERATION_EXERCISES;
  await proveChecks(
    "minP",
    ex.minP,
    solutions.keepMinP,
    (p, minP) => solutions.keepMinP(p, minP).map((x, i) => (i === 0 ? x + 1 : x)), // mass above 1
    () => yourTurn("keepMinP"),
  );
  await proveChecks(
    "drawToken",
    ex.drawToken,
    solutions.drawToken,
    (p, u) => solutions.drawToken(p, u) + 1, // the token after the right one
    () => yourTurn("drawToken"),
  );
  await proveChecks(
    "samplerDistribution",
    ex.samplerDistribution,
    solutions.samplerDistribution,
    (logits) => logits.map(() => -1), // not a distribution at all
    () => yourTurn("samplerDistribution"),
  );
  await proveChecks(
    "temperatureFor",
    ex.temperatureFor,
    solutions.temperatureFor,
    (logits, q) => 2 * solutions.temperatureFor(logits, q),
    () => yourTurn("temperatureFor"),
  );
  // Typical mistakes, each caught by some check:
  await proveCaught(
    "min-p's threshold taken as minP itself",
    ex.minP,
    (p, minP) => solutions.keepMinP(p, 0).map((x) => (x >= minP ? x : 0)),
  );
  await proveCaught(
    "min-p without renormalising",
    ex.minP,
    (p, minP) => p.map((x) => (x >= minP * Math.max(...p) ? x : 0)),
  );
  await proveCaught("drawing where u ≤ the running sum", ex.drawToken, (p, u) => {
    let sum = 0;
    for (let i = 0; i < p.length; i++) if (u <= (sum += p[i])) return i;
    return p.length - 1;
  });
  await proveCaught("no way out when rounding leaves a sliver", ex.drawToken, (p, u) => {
    let left = u;
    for (let i = 0; i < p.length; i++) if ((left -= p[i]) < 0) return i;
    return p.length - 1; // the last token, even one of probability 0
  });
  await proveCaught(
    "the filters before the temperature",
    ex.samplerDistribution,
    (logits, { temperature, ...filters }) =>
      solutions.samplerDistribution(
        solutions.samplerDistribution(logits, filters).map(Math.log),
        { temperature },
      ),
  );
  await proveCaught(
    "top-p judged after top-k has renormalised (one filter after the other)",
    ex.samplerDistribution,
    (logits, { topK, topP, ...rest }) => {
      const afterK = solutions.samplerDistribution(logits, { ...rest, topK });
      return solutions.samplerDistribution(afterK.map(Math.log), { topP });
    },
  );
  await proveCaught("no special case for T = 0", ex.samplerDistribution, (logits, options) => {
    const T = options.temperature ?? 1;
    const e = logits.map((l) => Math.exp(l / T));
    return e.map((x) => x / e.reduce((a, b) => a + b, 0));
  });
  await proveCaught(
    "a search for T in (0, 1] only",
    ex.temperatureFor,
    (logits, q) => Math.min(1, solutions.temperatureFor(logits, q)),
  );
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("lesson 8's exercise 4: every target's temperature lies between 0.01 and 100, as its task says", () => {
  // The same cases the check draws: the solution's temperature for each, and its top probability.
  const checks = GENERATION_EXERCISES.temperatureFor.checks((logits, q) => {
    const T = solutions.temperatureFor(logits, q);
    assert(T > 0.01 && T < 100, `T = ${T} for a target ${q}`);
    const top = Math.max(...nextTokenDistribution(logits, { temperature: T }));
    assert(Math.abs(top - q) < 1e-9, `top ${top} for a target ${q}`);
    return T;
  });
  for (const check of checks) check.run();
});

Deno.test("lesson 8's committed run shows every exercise not done (the notebook holds stubs, not solutions)", async () => {
  await proveNotebookStubs("08_generation.ipynb", GENERATION_EXERCISES);
});
