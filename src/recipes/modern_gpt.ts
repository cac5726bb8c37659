/**
 * The recipe of lesson 12 (`notebooks/12_modern_llm.ipynb`, not yet written), checkpoint
 * `data/modern_gpt.ckpt` (not yet shipped), made by `deno task train:modern_gpt`: lesson 7's character-level GPT of *Moby Dick* with the
 * changes later models made (rotary positions, RMSNorm, SwiGLU, grouped-query attention, no
 * biases), trained exactly as lesson 7's (same data split, steps, batches, schedule, seed), so
 * the two compare at an equal budget of steps. `deno task ablate:modern_gpt` trains the rows of
 * {@link ABLATION} and writes `data/modern_ablation.json`.
 *
 * @module
 */
import { type GPTConfig, LLAMA_STYLE } from "../models/gpt.ts";
import { mobyGPTConfig } from "./moby_gpt.ts";

/**
 * All the changes together: lesson 7's shape, Llama's choices, 2 key/value heads of 4, and the
 * feed-forward widened from SwiGLU's 341 to 392 to spend what GQA and the missing position table
 * save: 820,608 parameters against lesson 7's 822,272.
 */
export function modernGPTConfig(vocabSize: number): GPTConfig {
  return { ...mobyGPTConfig(vocabSize), ...LLAMA_STYLE, numKVHeads: 2, dFF: 392 };
}

/** One row of the ablation: lesson 7's GPT with some of the changes. */
export interface AblationRow {
  /** What the row changes. */
  name: string;
  /** The config, from the vocabulary size. */
  config(vocabSize: number): GPTConfig;
}

/** Lesson 7's GPT, each change on its own, and all of them together. */
export const ABLATION: readonly AblationRow[] = [
  { name: "lesson 7's GPT (GPT-2's design)", config: mobyGPTConfig },
  {
    name: "+ rotary positions",
    config: (v) => ({ ...mobyGPTConfig(v), positions: "rotary" }),
  },
  { name: "+ RMSNorm", config: (v) => ({ ...mobyGPTConfig(v), norm: "rms" }) },
  { name: "+ SwiGLU", config: (v) => ({ ...mobyGPTConfig(v), feedForward: "swiglu" }) },
  { name: "+ GQA (2 KV heads)", config: (v) => ({ ...mobyGPTConfig(v), numKVHeads: 2 }) },
  { name: "all together", config: modernGPTConfig },
];

/** The seeds of each row: lesson 7's, and one more. */
export const ABLATION_SEEDS: readonly number[] = [1337, 1338];
