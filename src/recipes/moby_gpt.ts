/**
 * The recipe of lesson 7 (`notebooks/07_training.ipynb`), checkpoint `data/moby_gpt.ckpt`, made
 * by `deno task train:moby_gpt`: the course's headline GPT, a character-level model of *Moby
 * Dick*. The speed benchmark trains it too, and `pytorch/moby_gpt.py` trains the same model on
 * the same data in PyTorch, for comparison.
 *
 * @module
 */
import type { GPTConfig } from "../models/gpt.ts";
import type { TrainingSettings } from "../training/train_loop.ts";

/** The model: 4 layers, 4 heads, d_model 128, context 64 (Moby Dick's 81 characters). */
export function mobyGPTConfig(vocabSize: number): GPTConfig {
  return {
    vocabSize,
    contextLength: 64,
    dModel: 128,
    numHeads: 4,
    numLayers: 4,
    tieWeights: false, // tying saves only 10,368 parameters here, and did worse (data/NOTES.md)
  };
}

/** Training: 2,000 steps of batch 12, AdamW lr 1e-3 (warm-up 100, cosine to 1e-4), clip 1.0. */
export const MOBY_GPT_TRAINING: TrainingSettings = {
  steps: 2000,
  batchSize: 12,
  schedule: { max: 1e-3, min: 1e-4, warmup: 100, total: 2000 },
  clipNorm: 1,
  optimizer: { beta1: 0.9, beta2: 0.99, weightDecay: 0.1 },
  evalEvery: 100,
  evalBatches: 20, // 20 fixed batches during training; 200 at the end (below)
  shards: 2, // each step's 12 windows split over two threads (the engine's DataParallel)
};

/** Batches in the final validation measurement (200, as `pytorch/moby_gpt.py` measures too). */
export const MOBY_GPT_FINAL_EVAL_BATCHES = 200;

/** The seed of the shipped run. */
export const MOBY_GPT_SEED = 1337;
