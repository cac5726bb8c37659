/**
 * The course's headline GPT: a character-level model of Moby Dick, the "baby GPT" of lesson 7.
 * One definition, used by the lesson, by `tools/train_gpt.ts` (which makes the shipped
 * checkpoint) and by the speed benchmark; `pytorch/moby_gpt.py` trains the same model on the
 * same data in PyTorch, for comparison.
 *
 * @module
 */
import type { GPTConfig } from "../models/gpt.ts";
import type { TrainingSettings } from "./train_loop.ts";

/**
 * The model: 4 layers, 4 heads, d_model 128, context 64 (vocabulary: Moby Dick's 81 characters),
 * with an LM head of its own. (Tying it to the embedding saves only 10,368 parameters for 81
 * characters; trained on this recipe, untied reached validation loss 1.749, tied 1.772.)
 */
export function mobyGPTConfig(vocabSize: number): GPTConfig {
  return {
    vocabSize,
    contextLength: 64,
    dModel: 128,
    numHeads: 4,
    numLayers: 4,
    tieWeights: false,
  };
}

/**
 * Training: 2,000 steps of batch 12, AdamW lr 1e-3 (warm-up 100, cosine to 1e-4), clip 1.0;
 * each step's batch split over two threads (`shards: 2`, see `data_parallel.ts`).
 */
export const MOBY_GPT_TRAINING: TrainingSettings = {
  steps: 2000,
  batchSize: 12,
  schedule: { max: 1e-3, min: 1e-4, warmup: 100, total: 2000 },
  clipNorm: 1,
  optimizer: { beta1: 0.9, beta2: 0.99, weightDecay: 0.1 },
  evalEvery: 100,
  evalBatches: 20,
  shards: 2,
};

/** Batches in the final validation measurement (200, as `pytorch/moby_gpt.py` measures too). */
export const MOBY_GPT_FINAL_EVAL_BATCHES = 200;

/** The seed of the shipped run. */
export const MOBY_GPT_SEED = 1337;
