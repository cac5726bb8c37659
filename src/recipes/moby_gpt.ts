/**
 * The recipe of lesson 7 (`notebooks/07_training.ipynb`), checkpoint `data/moby_gpt.ckpt`, made
 * by `deno task train:moby_gpt`: the course's headline GPT, a character-level model of *Moby
 * Dick*. The speed benchmark trains it too, and `pytorch/moby_gpt.py` trains the same model on
 * the same data in PyTorch, for comparison. Also the lesson's overfitting experiment (section 6):
 * a small GPT on a small slice of the book, and its cures.
 *
 * @module
 */
import { GPT, type GPTConfig } from "../models/gpt.ts";
import { Random, setSeed } from "../runtime/random.ts";
import {
  type TrainingRecord,
  type TrainingResult,
  type TrainingSettings,
  trainLanguageModel,
  trainValidationGap,
  type TrainValidationLosses,
} from "../training/train_loop.ts";

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
  fusedKernels: false, // attention and cross-entropy by their formulas, as the checkpoint was trained
};

/** Batches in the final validation measurement (200, as `pytorch/moby_gpt.py` measures too). */
export const MOBY_GPT_FINAL_EVAL_BATCHES = 200;

/** The seed of the shipped run. */
export const MOBY_GPT_SEED = 1337;

/**
 * The overfitting experiment of lesson 7's section 6: a GPT of 2 layers, 4 heads, d_model 64 and
 * context 32, with a `dropout` rate (default 0). Small, so that three runs take about a minute.
 */
export function overfitGPTConfig(vocabSize: number, dropout = 0): GPTConfig {
  return {
    vocabSize,
    contextLength: 32,
    dModel: 64,
    numHeads: 4,
    numLayers: 2,
    tieWeights: false,
    dropout,
  };
}

/**
 * Its training: 500 steps of batch 16 at a learning rate of 5e-3 from step 20 on (a 20-step
 * warm-up, then no decay), no weight decay, clip 1.0, the validation loss every 25 steps on 8
 * batches; one thread. Nothing holds the model back from learning a small text by heart.
 */
export const OVERFIT_TRAINING: TrainingSettings = {
  steps: 500,
  batchSize: 16,
  schedule: { max: 5e-3, min: 5e-3, warmup: 20, total: 500 },
  clipNorm: 1,
  optimizer: { beta1: 0.9, beta2: 0.99, weightDecay: 0 },
  evalEvery: 25,
  evalBatches: 8,
  shards: 1,
  fusedKernels: false,
};

/** Characters of the small slice the model overfits: the first 5,000 of the training text. */
export const OVERFIT_SLICE = 5_000;

/** Characters of the bigger slice, ten times as many: the cure "more data". */
export const OVERFIT_MORE_DATA = 50_000;

/** The dropout rate of the cure "dropout". */
export const OVERFIT_DROPOUT = 0.2;

/** Measurements without a new lowest validation loss before early stopping would stop. */
export const OVERFIT_PATIENCE = 4;

/**
 * The seed of every run of the experiment: the same initial weights (with or without dropout,
 * which adds no parameters) and the same batch draws.
 */
export const OVERFIT_SEED = 7;

/** What {@link trainOverfitRun} measured. */
export interface OverfitRun {
  /** The run's history, final validation loss and time. */
  result: TrainingResult;
  /** At the end: the loss on as many fixed batches of the training slice as of validation. */
  losses: TrainValidationLosses;
}

/**
 * One run of the experiment: a fresh model of `config` (weights drawn from `seed`) trained on
 * `trainTokens` with `settings`, measured on `valTokens`; then its train-versus-validation gap
 * on `settings.evalBatches` fixed batches of each. The model is freed at the end.
 *
 * @param onStep called after every step; awaited, so it may update a display
 */
export async function trainOverfitRun(
  config: GPTConfig,
  trainTokens: Int32Array,
  valTokens: Int32Array,
  settings: TrainingSettings,
  seed: number,
  onStep?: (record: TrainingRecord) => void | Promise<void>,
): Promise<OverfitRun> {
  setSeed(seed);
  const model = new GPT(config);
  try {
    const result = await trainLanguageModel(
      model,
      trainTokens,
      valTokens,
      settings,
      new Random(seed),
      onStep,
    );
    const losses = trainValidationGap(
      model,
      trainTokens,
      valTokens,
      settings.evalBatches,
      settings.batchSize,
    );
    return { result, losses };
  } finally {
    model.dispose();
  }
}
