/**
 * Lesson 12's exercises (`notebooks/12_modern_llm.ipynb`; solutions in
 * `solutions/12_modern_llm.ts`): the KV cache's size, SwiGLU's width, a Llama-style model's
 * parameters counted by hand, and RMSNorm's gradient by hand, each checked against the course's
 * own version.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type GPTConfig, LLAMA_STYLE } from "../models/gpt.ts";
import { countParameters, kvCacheBytesPerToken } from "../models/model_size.ts";
import { REAL_MODELS } from "../models/real_models.ts";
import { rmsNorm } from "../nn/rms_norm.ts";
import { swigluWidth } from "../nn/swiglu.ts";
import { mobyGPTConfig } from "../recipes/moby_gpt.ts";
import { modernGPTConfig } from "../recipes/modern_gpt.ts";
import { Random } from "../runtime/random.ts";
import { type Exercise, expectAllClose, expectClose, uniformRow } from "./exercise.ts";

/** Bytes of KV cache per token of a model of `config`, at `bytesPerNumber` bytes a number. */
export type KVCacheBytes = (config: GPTConfig, bytesPerNumber: number) => number;
/** SwiGLU's hidden width for `dModel`, rounded up to a multiple of `multipleOf`. */
export type SwiGLUWidth = (dModel: number, multipleOf: number) => number;
/** The parameters of a Llama-style model (rotary, RMSNorm, SwiGLU, no biases, untied head). */
export type LlamaParameters = (config: GPTConfig) => number;
/** RMSNorm's gradient dx for one row `x` with `gain`, the output's gradient `dy` and `epsilon`. */
export type RMSNormGrad = (x: number[], gain: number[], dy: number[], epsilon: number) => number[];

/** The models the counting exercises are checked on: lesson 7's, lesson 12's and the real ones. */
const MODELS: readonly { name: string; config: GPTConfig }[] = [
  { name: "lesson 7's GPT", config: mobyGPTConfig(81) },
  { name: "lesson 12's modern GPT", config: modernGPTConfig(81) },
  ...REAL_MODELS,
];

/**
 * The Llama-style models among {@link MODELS}, and one that leaves the feed-forward width to
 * its default.
 */
const LLAMA_MODELS = [
  ...MODELS.filter(({ config }) =>
    Object.entries(LLAMA_STYLE).every(([key, value]) => config[key as keyof GPTConfig] === value)
  ),
  {
    name: "lesson 7's shape, Llama-style, dFF left to its default",
    config: { ...mobyGPTConfig(81), ...LLAMA_STYLE, dFF: undefined },
  },
];

/** Lesson 12's exercises, easiest first. */
export const MODERN_LLM_EXERCISES: {
  kvCacheBytes: Exercise<KVCacheBytes>;
  swigluWidth: Exercise<SwiGLUWidth>;
  llamaParameters: Exercise<LlamaParameters>;
  rmsNormGrad: Exercise<RMSNormGrad>;
} = {
  kvCacheBytes: {
    title: "Exercise 1 · the KV cache per token",
    checks: (answer) =>
      MODELS.flatMap(({ name, config }) =>
        [2, 4].map((bytes) => ({
          name: `${name}, ${bytes} bytes a number: ${kvCacheBytesPerToken(config, bytes)}`,
          hint: "layers × KV heads × (dModel / numHeads) × 2 (a key and a value) × bytes; " +
            "numKVHeads, when absent, is numHeads",
          run: () => expectClose(answer(config, bytes), kvCacheBytesPerToken(config, bytes)),
        }))
      ),
  },
  swigluWidth: {
    title: "Exercise 2 · SwiGLU's width",
    checks: (answer) =>
      [[128, 1], [100, 1], [4, 1], [4096, 256], [2048, 256], [5120, 256], [100, 8]].map((
        [dModel, multiple],
      ) => ({
        name: `C = ${dModel}, a multiple of ${multiple}: ${swigluWidth(dModel, multiple)}`,
        hint: "three matrices of C × h for two of C × 4C: h = 8C/3, rounded down, then up to " +
          "the next multiple",
        run: () => expectClose(answer(dModel, multiple), swigluWidth(dModel, multiple)),
      })),
  },
  llamaParameters: {
    title: "Exercise 3 · a Llama-style model's parameters",
    checks: (answer) =>
      LLAMA_MODELS.map(({ name, config }) => ({
        name: `${name}: ${countParameters(config).toLocaleString("en-US")}`,
        hint: "embedding V·C; per block W_Q and W_O (C × C each), W_K and W_V (C × KV heads · " +
          "d_head each), SwiGLU's three matrices (C × dFF), two RMSNorm gains (C each); then the " +
          "final norm's gain (C) and the untied head (C × V); no position table, no biases; " +
          "dFF, when absent, is ⌊8C/3⌋ and numKVHeads is numHeads",
        run: () => expectClose(answer(config), countParameters(config)),
      })),
  },
  rmsNormGrad: {
    title: "Exercise 4 · RMSNorm's gradient by hand",
    checks: (answer) => {
      const random = new Random(12);
      return [[4, 0], [7, 0], [16, 3]].map(([n, shift]) => {
        const [x, gain, dy] = [
          uniformRow(random, n, 1, shift),
          uniformRow(random, n, 1, 1),
          uniformRow(random, n),
        ];
        const expected = tf.tidy(() =>
          Array.from(
            tf.grad((t: tf.Tensor) =>
              rmsNorm(t, tf.tensor1d(gain), 1e-5).mul(tf.tensor1d(dy)).sum()
            )(
              tf.tensor1d(x),
            ).dataSync(),
          )
        );
        return {
          name: `a row of ${n} numbers${
            shift === 0 ? "" : `, mean near ${shift}`
          }: dx as tf.grad gives it`,
          hint: "with σ = √(mean(x²) + ε), x̂ = x / σ and g = dy ⊙ gain: " +
            "dx = (g − x̂ · mean(g ⊙ x̂)) / σ",
          run: () => expectAllClose(answer(x, gain, dy, 1e-5), expected, 1e-4),
        };
      });
    },
  },
};
