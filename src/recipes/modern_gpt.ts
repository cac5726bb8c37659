/**
 * The recipe of lesson 12 (`notebooks/12_modern_llm.ipynb`), checkpoint `data/modern_gpt.ckpt`,
 * made by `deno task train:modern_gpt`: lesson 7's character-level GPT of *Moby Dick* with the
 * changes later models made (rotary positions, RMSNorm, SwiGLU, grouped-query attention, no
 * biases), trained exactly as lesson 7's (same data split, steps, batches, schedule, seed), so
 * the two compare at an equal budget of steps. `deno task ablate:modern_gpt` trains the rows of
 * {@link ABLATION} and writes `data/modern_ablation.json`.
 *
 * @module
 */
import { type GPTConfig, LLAMA_STYLE } from "../models/gpt.ts";
import { readRunsFile } from "../runtime/checks.ts";
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

/** One training run of the ablation, as `deno task ablate:modern_gpt` records it. */
export interface AblationRun {
  /** Its row of {@link ABLATION}. */
  row: number;
  /** The row's name. */
  name: string;
  /** The seed of the weights and of the batches. */
  seed: number;
  /** The model's config, every setting resolved. */
  config: GPTConfig;
  /** The model's parameter count. */
  parameters: number;
  /** KV-cache bytes per token in float32, the numbers this course stores. */
  kvCacheBytesPerToken: number;
  /** Final validation loss, 200 batches (as lesson 7 measures). */
  valLoss: number;
  /** Final training loss, 200 batches. */
  trainLoss: number;
  /** Training time per step, milliseconds. */
  msPerStep: number;
}

/** The ablation's file, `data/modern_ablation.json`: how it was made, and its runs. */
export interface AblationResults {
  /** The command that made it. */
  made: string;
  /** Training steps of every run. */
  steps: number;
  /** Windows per step. */
  batchSize: number;
  /** The backend the runs trained on. */
  backend: string;
  /** Threads each step's batch was split over. */
  threads: number;
  /** The runs, in the order they were made. */
  runs: AblationRun[];
}

/** The fields of {@link AblationResults} and {@link AblationRun} that hold numbers or strings. */
const RESULT_FIELDS = {
  number: ["steps", "batchSize", "threads"],
  string: ["made", "backend"],
} as const;
const RUN_FIELDS: {
  number: readonly (keyof AblationRun)[];
  string: readonly (keyof AblationRun)[];
} = {
  number: [
    "row",
    "seed",
    "parameters",
    "kvCacheBytesPerToken",
    "valLoss",
    "trainLoss",
    "msPerStep",
  ],
  string: ["name"],
};

/**
 * Read an ablation file that `deno task ablate:modern_gpt` wrote, checking that it has every field
 * and at least one run, each of a row of {@link ABLATION}.
 */
export function readAblation(path: string | URL): Promise<AblationResults> {
  return readRunsFile<AblationResults>(
    path,
    "an ablation file of deno task ablate:modern_gpt",
    RESULT_FIELDS,
    RUN_FIELDS,
    (run, prefix) =>
      typeof run.row === "number" && !(run.row in ABLATION)
        ? [`${prefix}row (a row 0 … ${ABLATION.length - 1}, not ${run.row})`]
        : [],
  );
}
