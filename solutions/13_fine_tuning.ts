/**
 * Solutions to lesson 13's exercises (`src/exercises/fine_tuning.ts` checks them; the test suite
 * proves every check passes here and reports "not done" on the notebook's stubs).
 *
 * @module
 */
import type { GPTConfig } from "../src/mod.ts";
import type { LastTokenStates, LoRAParameterCount, MergeAdapter, SpamMetrics } from "../src/mod.ts";

/** Exercise 1: each score a ratio of counts, 0 where its denominator is 0. */
export const spamMetrics: SpamMetrics = (
  truePositives: number,
  falsePositives: number,
  falseNegatives: number,
  trueNegatives: number,
) => {
  const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
  const all = truePositives + falsePositives + falseNegatives + trueNegatives;
  const precision = ratio(truePositives, truePositives + falsePositives);
  const recall = ratio(truePositives, truePositives + falseNegatives);
  return {
    accuracy: ratio(truePositives + trueNegatives, all),
    precision,
    recall,
    f1: ratio(2 * precision * recall, precision + recall),
  };
};

/** Exercise 2: r · (in + out) for W_Q, W_K, W_V and W_O, in every block. */
export const loraParameterCount: LoRAParameterCount = (config: GPTConfig, rank: number) => {
  const C = config.dModel;
  const kvWidth = (config.numKVHeads ?? config.numHeads) * (C / config.numHeads);
  const perBlock = 2 * rank * (C + C) + 2 * rank * (C + kvWidth); // W_Q, W_O; W_K, W_V
  return config.numLayers * perBlock;
};

/** Exercise 3: W + (α / r) · A · B, entry by entry. */
export const mergeAdapter: MergeAdapter = (
  weight: number[][],
  down: number[][],
  up: number[][],
  alpha: number,
  rank: number,
) => {
  const scale = alpha / rank;
  return weight.map((row, i) =>
    row.map((w, j) => w + scale * down[i].reduce((s, a, k) => s + a * up[k][j], 0))
  );
};

/** Exercise 4: the hidden state of each row's last real token. */
export const lastTokenStates: LastTokenStates = (hidden: number[][][], lengths: number[]) =>
  hidden.map((row, b) => row[lengths[b] - 1]);
