import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "../assert.ts";
import {
  initCourse,
  normlessStackStds,
  TRANSFORMER_BLOCK_EXERCISES,
  type TransformerBlock,
  yourTurn,
} from "../../src/mod.ts";
import { proveCaught, proveChecks, proveNotebookStubs } from "./prove.ts";
import * as solutions from "../../solutions/05_transformer_block.ts";

await initCourse();

/** LayerNorm by hand with one change: a variance over C − 1, or ε outside the square root. */
function layerNormWith(change: { unbiased?: boolean; epsilonOutside?: boolean; noBias?: boolean }) {
  return (x: number[], gain: number[], bias: number[], epsilon: number) => {
    const mean = x.reduce((s, v) => s + v, 0) / x.length;
    const n = change.unbiased ? x.length - 1 : x.length;
    const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
    const scale = change.epsilonOutside
      ? Math.sqrt(variance) + epsilon
      : Math.sqrt(variance + epsilon);
    return x.map((v, i) => gain[i] * (v - mean) / scale + (change.noBias ? 0 : bias[i]));
  };
}

/** The block without norms with one change: no mask, or no residual around the attention. */
function withoutNormWith(change: { noMask?: boolean; noResidual?: boolean }) {
  return (block: TransformerBlock, x: tf.Tensor3D, mask?: tf.Tensor) =>
    tf.tidy(() => {
      const attended = block.attention.apply(x, x, change.noMask ? undefined : mask).output;
      const x1 = change.noResidual ? attended : x.add(attended) as tf.Tensor3D;
      return x1.add(block.feedForward.apply(x1)) as tf.Tensor3D;
    });
}

Deno.test("lesson 5's exercises: every check passes on the solution, fails on a wrong answer, and a stub is not done", async () => {
  const before = tf.memory().numTensors;
  const ex = TRANSFORMER_BLOCK_EXERCISES;
  await proveChecks(
    "layerNorm",
    ex.layerNorm,
    solutions.layerNormByHand,
    // the mean not subtracted: x / √(mean(x²) + ε)
    (x, gain, bias, epsilon) => {
      const meanSquare = x.reduce((s, v) => s + v * v, 0) / x.length;
      return x.map((v, i) => gain[i] * v / Math.sqrt(meanSquare + epsilon) + bias[i]);
    },
    () => yourTurn("layerNormByHand"),
  );
  await proveChecks(
    "parameters",
    ex.parameters,
    solutions.blockParameters,
    // the LayerNorms forgotten
    (config) => solutions.blockParameters(config) - (config.crossAttention ? 6 : 4) * config.dModel,
    () => yourTurn("blockParameters"),
  );
  await proveChecks(
    "feedForward",
    ex.feedForward,
    solutions.feedForwardByHand,
    // no ReLU: two linear layers, which collapse into one
    (x, w1, b1, w2, b2) => {
      const hidden = b1.map((b, j) => x.reduce((s, v, c) => s + v * w1[c][j], b));
      return b2.map((b, i) => hidden.reduce((s, h, j) => s + h * w2[j][i], b));
    },
    () => yourTurn("feedForwardByHand"),
  );
  await proveChecks(
    "withoutNorm",
    ex.withoutNorm,
    solutions.blockWithoutNorm,
    (block, x, mask) => block.apply(x, { mask }).output, // the block with its norms
    () => yourTurn("blockWithoutNorm"),
  );
  // typical mistakes, each caught by some check
  await proveCaught("a variance over C − 1", ex.layerNorm, layerNormWith({ unbiased: true }));
  await proveCaught("ε outside the root", ex.layerNorm, layerNormWith({ epsilonOutside: true }));
  await proveCaught("β forgotten", ex.layerNorm, layerNormWith({ noBias: true }));
  await proveCaught(
    "a third LayerNorm forgotten with cross-attention",
    ex.parameters,
    (config) =>
      solutions.blockParameters({ ...config, crossAttention: false }) +
      (config.crossAttention ? 4 * config.dModel * config.dModel + 4 * config.dModel : 0),
  );
  await proveCaught(
    "no bias: false",
    ex.parameters,
    (config) => solutions.blockParameters({ ...config, bias: true }),
  );
  await proveCaught(
    "ReLU after W₂ as well",
    ex.feedForward,
    (x, w1, b1, w2, b2) =>
      solutions.feedForwardByHand(x, w1, b1, w2, b2).map((v) => Math.max(0, v)),
  );
  await proveCaught(
    "b₁ forgotten",
    ex.feedForward,
    (x, w1, b1, w2, b2) => solutions.feedForwardByHand(x, w1, b1.map(() => 0), w2, b2),
  );
  await proveCaught("the mask forgotten", ex.withoutNorm, withoutNormWith({ noMask: true }));
  await proveCaught("no residual", ex.withoutNorm, withoutNormWith({ noResidual: true }));
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("lesson 5's exercise 4: without norms, the std after 12 blocks is over 10× the std with them", () => {
  const { withNorm, without } = normlessStackStds();
  assertEquals([withNorm.length, without.length], [12, 12]);
  const ratio = without[11] / withNorm[11];
  assert(
    ratio > 10,
    `expected the std after block 12 without norms to be over 10× the std with them, got ` +
      `${without[11]} against ${withNorm[11]} (${ratio.toFixed(1)}×)`,
  );
});

Deno.test("lesson 5's committed run shows every exercise not done (the notebook holds stubs, not solutions)", async () => {
  await proveNotebookStubs("05_transformer_block.ipynb", TRANSFORMER_BLOCK_EXERCISES);
});
