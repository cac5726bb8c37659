/**
 * Lesson 5's exercises (`notebooks/05_transformer_block.ipynb`; solutions in
 * `solutions/05_transformer_block.ts`): LayerNorm by hand, a block's parameters, the
 * feed-forward network by hand, and a block without LayerNorm, whose activations grow block
 * after block; each checked against the course's own layers.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { causalMask } from "../nn/attention.ts";
import type { BlockConfig } from "../nn/block_config.ts";
import { FeedForward } from "../nn/feed_forward.ts";
import { layerNorm } from "../nn/layer_norm.ts";
import { Module } from "../nn/module.ts";
import { addAndNorm } from "../nn/residual.ts";
import { TransformerBlock } from "../nn/transformer_block.ts";
import { Random } from "../runtime/random.ts";
import { drawExerciseWeights, type Exercise, expectAllClose, expectClose } from "./exercise.ts";

/** LayerNorm of one vector `x` with gain γ, bias β and `epsilon`, on plain arrays. */
export type BlockLayerNorm = (
  x: number[],
  gain: number[],
  bias: number[],
  epsilon: number,
) => number[];
/** The parameters of a `TransformerBlock` of `config` (LayerNorm, the MLP feed-forward). */
export type BlockParameters = (config: BlockConfig) => number;
/**
 * The feed-forward network `ReLU(x · W₁ + b₁) · W₂ + b₂` on one token `x` (C numbers), with
 * W₁ `(C, d_ff)` and W₂ `(d_ff, C)`, on plain arrays.
 */
export type BlockFeedForward = (
  x: number[],
  w1: number[][],
  b1: number[],
  w2: number[][],
  b2: number[],
) => number[];
/**
 * `block` with its norms left out: `x₁ = x + Attn(x)` (with `mask`), then `x₁ + FFN(x₁)`;
 * `(B, T, C)` → `(B, T, C)`.
 */
export type BlockWithoutNorm = (
  block: TransformerBlock,
  x: tf.Tensor3D,
  mask?: tf.Tensor,
) => tf.Tensor3D;

/** A norm that leaves its input as it is: a block's sub-layers without normalisation. */
class NoNorm extends Module {
  /** `x` itself. */
  apply(x: tf.Tensor): tf.Tensor {
    return x;
  }
}
const NO_NORM = new NoNorm();

/** The course's block without its norms: its own sub-layers in `addAndNorm`, norms left out. */
function blockWithoutNorm(block: TransformerBlock, x: tf.Tensor3D, mask?: tf.Tensor): tf.Tensor3D {
  return tf.tidy(() => {
    const attend = (h: tf.Tensor) =>
      block.attention.apply(h as tf.Tensor3D, h as tf.Tensor3D, mask).output;
    const attended = addAndNorm(x, attend, NO_NORM, "pre");
    return addAndNorm(attended, (h) => block.feedForward.apply(h), NO_NORM, "pre") as tf.Tensor3D;
  });
}

/** `n` numbers from `random`, each `shift` + N(0, scale²). */
function numbers(random: Random, n: number, scale = 1, shift = 0): number[] {
  return Array.from({ length: n }, () => shift + scale * random.normal());
}

/** A `(B, T, C)` tensor of N(0, 1) numbers from `random`. */
function input(random: Random, shape: [number, number, number]): tf.Tensor3D {
  return tf.tensor3d(numbers(random, shape[0] * shape[1] * shape[2]), shape);
}

/** The standard deviation of all of `x`'s numbers, as section 4 of the lesson measures it. */
function std(x: tf.Tensor): number {
  return tf.tidy(() => tf.moments(x).variance.sqrt().dataSync()[0]);
}

/** Settings of the stack whose activations the last exercise measures (as in section 4). */
const STACK = {
  depth: 12,
  dModel: 64,
  numHeads: 4,
  std: 0.1,
  seed: 5,
  shape: [2, 16, 64],
} as const;

/** The stack of {@link STACK}, drawn the same every time. */
function drawnStack(): TransformerBlock[] {
  const random = new Random(STACK.seed);
  return Array.from({ length: STACK.depth }, () => {
    const block = new TransformerBlock({ dModel: STACK.dModel, numHeads: STACK.numHeads });
    drawExerciseWeights(block, random, STACK.std, 0);
    return block;
  });
}

/** The std after each block of the stack, each block applied by `apply`. */
function stackStds(
  blocks: readonly TransformerBlock[],
  apply: (block: TransformerBlock, x: tf.Tensor3D) => tf.Tensor3D,
): number[] {
  return tf.tidy(() => {
    let x = input(new Random(STACK.seed + 1), [...STACK.shape]);
    return blocks.map((block) => {
      x = apply(block, x);
      if (!(x instanceof tf.Tensor)) throw new TypeError(`expected a tensor, got ${x}`);
      return std(x);
    });
  });
}

/** Standard deviations after each block of a stack, with and without its norms. */
export interface NormlessStackStds {
  /** After each block of the course's (pre-norm) blocks. */
  withNorm: readonly number[];
  /** After each of the same blocks with their norms left out. */
  without: readonly number[];
}

let stackStdsMeasured: NormlessStackStds | undefined;

/**
 * The activations' standard deviation after each block of the last exercise's stack (12 blocks
 * of C = 64, weights of std 0.1), with LayerNorm and without; measured once, then remembered.
 */
export function normlessStackStds(): NormlessStackStds {
  if (stackStdsMeasured === undefined) {
    const blocks = drawnStack();
    try {
      stackStdsMeasured = {
        withNorm: stackStds(blocks, (block, x) => block.apply(x).output),
        without: stackStds(blocks, blockWithoutNorm),
      };
    } finally {
      blocks.forEach((block) => block.dispose());
    }
  }
  return stackStdsMeasured;
}

/** Parameter counts of blocks already built, by config: GPT-2's block is built once, not per check. */
const PARAMETER_COUNTS = new Map<string, number>();

/** `new TransformerBlock(config).parameterCount()`, each config built only once. */
function blockParameterCount(config: BlockConfig): number {
  const key = JSON.stringify(config);
  let count = PARAMETER_COUNTS.get(key);
  if (count === undefined) {
    const block = new TransformerBlock(config);
    count = block.parameterCount();
    block.dispose();
    PARAMETER_COUNTS.set(key, count);
  }
  return count;
}

/** Lesson 5's exercises, easiest first. */
export const TRANSFORMER_BLOCK_EXERCISES: {
  layerNorm: Exercise<BlockLayerNorm>;
  parameters: Exercise<BlockParameters>;
  feedForward: Exercise<BlockFeedForward>;
  withoutNorm: Exercise<BlockWithoutNorm>;
} = {
  layerNorm: {
    title: "Exercise 1 · LayerNorm by hand",
    checks: (answer) => {
      const random = new Random(5);
      const ones = (n: number) => Array<number>(n).fill(1);
      const cases = [
        {
          what: "[1, 2, 3, 4], γ = 1, β = 0",
          x: [1, 2, 3, 4],
          gain: ones(4),
          bias: Array<number>(4).fill(0),
          epsilon: 1e-5,
        },
        {
          what: "[10, −10, 5, 0] with a gain and a bias",
          x: [10, -10, 5, 0],
          gain: [1, 2, 0.5, -1],
          bias: [0, 1, -1, 0.5],
          epsilon: 1e-5,
        },
        {
          what: "8 random numbers, random γ and β",
          x: numbers(random, 8),
          gain: numbers(random, 8, 0.5, 1),
          bias: numbers(random, 8, 0.5),
          epsilon: 1e-5,
        },
        {
          what: "16 numbers around 100",
          x: numbers(random, 16, 2, 100),
          gain: numbers(random, 16, 0.5, 1),
          bias: numbers(random, 16, 0.5),
          epsilon: 1e-5,
        },
        {
          what: "a constant vector [3, 3, 3, 3] (only β is left)",
          x: [3, 3, 3, 3],
          gain: numbers(random, 4, 0.5, 1),
          bias: numbers(random, 4, 0.5),
          epsilon: 1e-5,
        },
        {
          what: "a small spread and ε = 0.1, where ε counts",
          x: [0.1, -0.2, 0.3, 0],
          gain: ones(4),
          bias: Array<number>(4).fill(0),
          epsilon: 0.1,
        },
      ];
      return cases.map(({ what, x, gain, bias, epsilon }) => {
        const expected = tf.tidy(() =>
          Array.from(
            layerNorm(tf.tensor1d(x), tf.tensor1d(gain), tf.tensor1d(bias), epsilon).dataSync(),
          )
        );
        return {
          name: x.length > 8
            ? `${what}: LayerNorm's output`
            : `${what}: ${expected.map((v) => v.toFixed(4)).join(", ")}`,
          hint: "μ = mean of x; σ² = mean of (x − μ)², dividing by C (not C − 1); then " +
            "γ ⊙ (x − μ) / √(σ² + ε) + β, with ε inside the square root",
          run: () => expectAllClose(answer([...x], [...gain], [...bias], epsilon), expected, 1e-4),
        };
      });
    },
  },
  parameters: {
    title: "Exercise 2 · a block's parameters",
    checks: (answer) => {
      const configs: { what: string; config: BlockConfig }[] = [
        { what: "a narrow feed-forward", config: { dModel: 32, numHeads: 4, dFF: 64 } },
        { what: "d_ff left to its default", config: { dModel: 32, numHeads: 4 } },
        { what: "no biases", config: { dModel: 64, numHeads: 4, bias: false } },
        {
          what: "a decoder block",
          config: { dModel: 16, numHeads: 2, dFF: 40, crossAttention: true },
        },
        {
          what: "a decoder block without biases",
          config: { dModel: 24, numHeads: 3, crossAttention: true, bias: false },
        },
        { what: "GPT-2 small's block", config: { dModel: 768, numHeads: 12 } },
      ];
      return configs.map(({ what, config }) => {
        const count = blockParameterCount(config);
        return {
          name: `${what}, ${JSON.stringify(config)}: ${count.toLocaleString("en-US")}`,
          hint: "attention: W_Q, W_K, W_V, W_O of C × C and a bias of C each; feed-forward: " +
            "W₁ C × d_ff, b₁ d_ff, W₂ d_ff × C, b₂ C; a LayerNorm: γ and β of C each, two of " +
            "them, three with cross-attention (which is a second attention); d_ff absent is " +
            "4C; bias: false drops the biases of the attentions and the feed-forward, not β",
          run: () => expectClose(answer(structuredClone(config)), count),
        };
      });
    },
  },
  feedForward: {
    title: "Exercise 3 · the feed-forward network by hand",
    checks: (answer) => {
      const random = new Random(55);
      return [[4, 16], [3, 5], [6, 6], [8, 32], [64, 256]].map(([C, dFF]) => {
        const seed = random.int(2 ** 31);
        return {
          name:
            `C = ${C}, d_ff = ${dFF}: FeedForward's output, ReLU, weights and biases drawn at random`,
          hint: "hidden[j] = max(0, b1[j] + Σ_c x[c] · w1[c][j]) for j < d_ff; then " +
            "out[i] = b2[i] + Σ_j hidden[j] · w2[j][i]; ReLU between the layers only",
          run: () => {
            const r = new Random(seed);
            const ffn = new FeedForward(C, dFF, "relu");
            try {
              drawExerciseWeights(ffn, r, 1 / Math.sqrt(C), 0.3);
              const x = numbers(r, C);
              const [w1, b1, w2, b2, expected] = tf.tidy(() =>
                [
                  ffn.up.weight.arraySync() as number[][],
                  ffn.up.bias!.arraySync() as number[],
                  ffn.down.weight.arraySync() as number[][],
                  ffn.down.bias!.arraySync() as number[],
                  Array.from(ffn.apply(tf.tensor2d([x])).dataSync()),
                ] as const
              );
              expectAllClose(answer(x, w1, b1, w2, b2), expected, 1e-4);
            } finally {
              ffn.dispose();
            }
          },
        };
      });
    },
  },
  withoutNorm: {
    title: "Exercise 4 · a block without LayerNorm",
    checks: (answer) => {
      const random = new Random(555);
      const single = [
        { what: "C = 16, 2 heads, GELU, one sequence of 5", config: { dModel: 16, numHeads: 2 } },
        {
          what: "C = 32, 4 heads, d_ff = 48, ReLU, 2 sequences of 6, causal mask",
          config: { dModel: 32, numHeads: 4, dFF: 48, activation: "relu" as const },
          causal: true,
        },
        {
          what: "a post-norm block (without norms, the same sum)",
          config: { dModel: 24, numHeads: 3, normPlacement: "post" as const },
        },
      ].map(({ what, config, causal }, i) => {
        const seed = random.int(2 ** 31);
        const shape: [number, number, number] = [i === 0 ? 1 : 2, i === 0 ? 5 : 6, config.dModel];
        return {
          name: `${what}: x₁ = x + Attn(x), then x₁ + FFN(x₁), with the block's own layers`,
          hint: "x₁ = x.add(block.attention.apply(x, x, mask).output), then " +
            "x₁.add(block.feedForward.apply(x₁)): no attentionNorm, no feedForwardNorm",
          run: () => {
            const r = new Random(seed);
            const block = new TransformerBlock(config);
            try {
              drawExerciseWeights(block, r, 0.3, 0.1);
              tf.tidy(() => {
                const x = input(r, shape);
                const mask = causal ? causalMask(shape[1]) : undefined;
                const got = answer(block, x, mask);
                if (!(got instanceof tf.Tensor)) {
                  throw new TypeError(`expected a tensor, got ${got}`);
                }
                const expected = blockWithoutNorm(block, x, mask);
                if (`${got.shape}` !== `${expected.shape}`) {
                  throw new RangeError(`got shape [${got.shape}], expected [${expected.shape}]`);
                }
                expectAllClose(Array.from(got.dataSync()), Array.from(expected.dataSync()), 1e-4);
              });
            } finally {
              block.dispose();
            }
          },
        };
      });
      const { withNorm, without } = normlessStackStds();
      const at = (stds: readonly number[]) =>
        `${stds[0].toPrecision(3)} after block 1, ${stds[STACK.depth - 1].toPrecision(3)} ` +
        `after block ${STACK.depth}`;
      const stack = {
        name: `${STACK.depth} blocks of C = ${STACK.dModel}, weights of std ${STACK.std}, ` +
          `without LayerNorm: std ${at(without)} (with LayerNorm: ${at(withNorm)}), block by ` +
          `block as the course's block without its norms`,
        hint: "each block adds its sub-layers' outputs to x, and without a norm they grow with " +
          "x: use the block's attention and feedForward on x itself, not on a normalised x",
        run: () => {
          const stackBlocks = drawnStack();
          try {
            expectAllClose(stackStds(stackBlocks, answer), without, 1e-3);
          } finally {
            stackBlocks.forEach((block) => block.dispose());
          }
        },
      };
      return [...single, stack];
    },
  },
};
