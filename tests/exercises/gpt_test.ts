import * as tf from "@tensorflow/tfjs";
import { assertEquals } from "../assert.ts";
import { GPT_EXERCISES, initCourse, Value, yourTurn } from "../../src/mod.ts";
import { proveCaught, proveChecks, proveNotebookStubs } from "./prove.ts";
import * as solutions from "../../solutions/06_gpt.ts";

await initCourse();

/** Sigmoid with a backward rule `rule(s, x)` in place of σ(x)(1 − σ(x)): a wrong answer. */
const sigmoidWith = (rule: (s: number, x: number) => number, assign = false) => (v: Value) => {
  const s = 1 / (1 + Math.exp(-v.data));
  return new Value(s, {
    op: "σ",
    parents: [v],
    backward: (out) => {
      const share = rule(s, v.data) * out.grad;
      v.grad = assign ? share : v.grad + share;
    },
  });
};

/** The softmax of `row` without subtracting its largest score first. */
const naiveSoftmax = (row: number[]) => {
  const exps = row.map(Math.exp);
  const total = exps.reduce((s, e) => s + e, 0);
  return exps.map((e) => e / total);
};

Deno.test("lesson 6's exercises: every check passes on the solution, fails on a wrong answer, and a stub is not done", async () => {
  const before = tf.memory().numTensors;
  const ex = GPT_EXERCISES;
  await proveChecks(
    "gptParameters",
    ex.gptParameters,
    solutions.gptParameters,
    (config) => solutions.gptParameters(config) - 2 * config.dModel, // forgetting the final norm
    () => yourTurn("gptParameters"),
  );
  await proveChecks(
    "sigmoid",
    ex.sigmoid,
    solutions.sigmoid,
    // tanh in place of sigmoid, value and rule
    (v) => {
      const t = Math.tanh(v.data);
      return new Value(t, {
        op: "tanh",
        parents: [v],
        backward: (out) => (v.grad += (1 - t * t) * out.grad),
      });
    },
    () => yourTurn("sigmoid"),
  );
  await proveChecks(
    "crossEntropyGrad",
    ex.crossEntropyGrad,
    solutions.crossEntropyGrad,
    // the probabilities alone: the one-hot and the mean forgotten
    (logits) => logits.map(naiveSoftmax),
    () => yourTurn("crossEntropyGrad"),
  );
  await proveChecks(
    "linearBackward",
    ex.linearBackward,
    solutions.linearBackward,
    (x, weight, dy) => {
      const { dx, dWeight, dBias } = solutions.linearBackward(x, weight, dy);
      const negate = (m: number[][]) => m.map((r) => r.map((v) => -v));
      return { dx: negate(dx), dWeight: negate(dWeight), dBias: dBias.map((v) => -v) };
    },
    () => yourTurn("linearBackward"),
  );
  // typical mistakes, each caught by some check
  await proveCaught(
    "always tied",
    ex.gptParameters,
    (config) => solutions.gptParameters({ ...config, tieWeights: true }),
  );
  await proveCaught(
    "an absent tieWeights read as untied",
    ex.gptParameters,
    (config) => solutions.gptParameters({ ...config, tieWeights: config.tieWeights ?? false }),
  );
  await proveCaught(
    "the biases forgotten",
    ex.gptParameters,
    (config) => {
      const C = config.dModel;
      const dFF = config.dFF ?? 4 * C;
      return solutions.gptParameters(config) - config.numLayers * (4 * C + dFF + C);
    },
  );
  await proveCaught("σ' from the input, x(1 − x)", ex.sigmoid, sigmoidWith((_, x) => x * (1 - x)));
  await proveCaught("out.grad forgotten", ex.sigmoid, (v) => {
    const s = 1 / (1 + Math.exp(-v.data));
    return new Value(s, { op: "σ", parents: [v], backward: () => (v.grad += s * (1 - s)) });
  });
  await proveCaught("v.grad set, not added to", ex.sigmoid, sigmoidWith((s) => s * (1 - s), true));
  await proveCaught("the parents left out", ex.sigmoid, (v) => {
    const s = 1 / (1 + Math.exp(-v.data));
    return new Value(s, {
      op: "σ",
      parents: [],
      backward: (out) => (v.grad += s * (1 - s) * out.grad),
    });
  });
  await proveCaught(
    "the mean forgotten",
    ex.crossEntropyGrad,
    (logits, targets) =>
      solutions.crossEntropyGrad(logits, targets).map((r) => r.map((g) => g * logits.length)),
  );
  await proveCaught(
    "no largest score subtracted",
    ex.crossEntropyGrad,
    (logits, targets) =>
      logits.map((row, n) =>
        naiveSoftmax(row).map((p, i) => (p - (i === targets[n] ? 1 : 0)) / logits.length)
      ),
  );
  await proveCaught(
    "y − p, the sign turned",
    ex.crossEntropyGrad,
    (logits, targets) => solutions.crossEntropyGrad(logits, targets).map((r) => r.map((g) => -g)),
  );
  await proveCaught("dBias as the mean of dy's rows", ex.linearBackward, (x, weight, dy) => {
    const grads = solutions.linearBackward(x, weight, dy);
    return { ...grads, dBias: grads.dBias.map((b) => b / dy.length) };
  });
  await proveCaught("dx = dy · W, not Wᵀ", ex.linearBackward, (x, weight, dy) => {
    const grads = solutions.linearBackward(x, weight, dy);
    const dx = dy.map((dyRow) =>
      weight[0].map((_, i) => dyRow.reduce((s, d, j) => s + d * (weight[j]?.[i] ?? 0), 0))
    );
    return { ...grads, dx };
  });
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("lesson 6's committed run shows every exercise not done (the notebook holds stubs, not solutions)", async () => {
  await proveNotebookStubs("06_gpt.ipynb", GPT_EXERCISES);
});
