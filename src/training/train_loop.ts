/**
 * The training loop: draw a batch, take a step at the scheduled learning rate, now and then
 * measure the loss on held-out data, and report progress. One loop, {@link trainLoop}, serves
 * every model of the course; {@link trainLanguageModel} feeds it windows of a token stream.
 *
 * It is async so that a notebook can redraw its live loss curve between steps.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  DataParallel,
  fusedKernelsInUse,
  type HostBatch,
  MAX_SHARDS,
  type TensorBatch,
  toHost,
  useFusedKernels,
} from "../engine/mod.ts";
import type { GPT } from "../models/gpt.ts";
import {
  type ModelKind,
  type ModelOf,
  replicaJob,
  taskLoss,
  type TrainingTask,
} from "../models/registry.ts";
import { trainableParameters } from "../nn/module.ts";
import { requireBoolean, requireInRange, requirePositiveInteger } from "../runtime/checks.ts";
import type { Random } from "../runtime/random.ts";
import { AdamW, type AdamWOptions, checkAdamWOptions } from "./adamw.ts";
import { sampleBatch } from "./batches.ts";
import { disposeBatches, fixedBatches, meanLoss } from "./evaluate.ts";
import { checkSchedule, learningRateAt, type Schedule } from "./schedule.ts";
import { applyGradients, trainStep } from "./train_step.ts";

/** Settings of {@link trainLanguageModel}. */
export interface TrainingSettings {
  /** Steps to take. */
  steps: number;
  /** Sequences per batch. */
  batchSize: number;
  /** Learning-rate schedule (its `total` is usually `steps`). */
  schedule: Schedule;
  /** Clip gradients to this global norm. */
  clipNorm: number;
  /** AdamW settings. */
  optimizer: AdamWOptions;
  /** Measure validation loss every this many steps (and after the last). */
  evalEvery: number;
  /** Batches in each validation measurement (fixed, so measurements compare). */
  evalBatches: number;
  /**
   * Threads that compute each step's gradients, each on a share of the batch (default 1: this
   * thread alone). Set it to the number of cores; see `engine/data_parallel.ts`.
   */
  shards?: number;
  /**
   * Compute attention and cross-entropy by the engine's kernels during the run (`true`) or by
   * their formulas (`false`); unset, as the course is set (`useFusedKernels`). A recipe sets it
   * to say how its checkpoint was trained: the order of the sums differs, and so does the run.
   */
  fusedKernels?: boolean;
}

/**
 * Throw unless every setting given makes sense (whole numbers of steps, sequences, batches and
 * threads; a clipping norm > 0; the schedule's and the optimizer's checks), naming the first bad
 * one. The training functions call it before anything else, so a typo costs no work.
 */
export function checkTrainingSettings(
  settings: Omit<TrainingSettings, "batchSize" | "evalBatches"> & Partial<TrainingSettings>,
): void {
  requirePositiveInteger("settings.steps", settings.steps);
  requirePositiveInteger("settings.evalEvery", settings.evalEvery);
  requirePositiveInteger("settings.shards", settings.shards ?? 1, MAX_SHARDS);
  if (settings.fusedKernels !== undefined) {
    requireBoolean("settings.fusedKernels", settings.fusedKernels);
  }
  for (const key of ["batchSize", "evalBatches"] as const) {
    if (key in settings) requirePositiveInteger(`settings.${key}`, settings[key]);
  }
  requireInRange("settings.clipNorm", settings.clipNorm, 0, Infinity, "(]");
  checkSchedule(settings.schedule);
  checkAdamWOptions(settings.optimizer);
}

/** One point of the training history. */
export interface TrainingRecord {
  /** Step (0-based) just taken. */
  step: number;
  /** Training loss of that step's batch. */
  train: number;
  /** Validation loss, at the steps where it was measured. */
  val?: number;
  /** Learning rate of the step. */
  learningRate: number;
}

/** What {@link trainLanguageModel} returns. */
export interface TrainingResult {
  /** Every step's record. */
  history: TrainingRecord[];
  /** Validation loss after the last step. */
  finalVal: number;
  /** Seconds spent. */
  seconds: number;
}

/**
 * The loop every model of the course trains with: draw a batch, take a step at the scheduled
 * learning rate, now and then call `validate()`, report each step. The loss of a batch is the
 * task's (`models/registry.ts`); the optimizer is created here over the model's trainable
 * parameters (frozen ones stay as they are) and freed at the end, and so is each batch.
 *
 * With `settings.shards` > 1, each batch's gradients are computed on that many threads at once
 * (the engine's `DataParallel`, each worker with a replica of the model). Validation and the
 * update stay on this thread. With `settings.fusedKernels` set, the whole run (its threads,
 * validation and `onStep` too) computes attention and cross-entropy that way; the course's
 * setting comes back at the end, whether the run ends or fails.
 *
 * @param next draws the next training batch (its tensors are freed after the step)
 * @param onStep called after every step; awaited, so it may update a display
 */
export async function trainLoop<K extends ModelKind>(
  task: TrainingTask<K>,
  model: ModelOf<K>,
  settings: Omit<TrainingSettings, "batchSize" | "evalBatches">,
  next: () => TensorBatch,
  validate: () => number,
  onStep?: (record: TrainingRecord) => void | Promise<void>,
): Promise<TrainingResult> {
  checkTrainingSettings(settings);
  const shards = settings.shards ?? 1;
  const trainable = trainableParameters(model);
  const frozen = [...model.parameters().keys()].filter((name) => !trainable.has(name));
  const optimizer = new AdamW(trainable, settings.optimizer);
  const kernelsBefore = useFusedKernels(settings.fusedKernels ?? fusedKernelsInUse());
  let threads: DataParallel | undefined;
  const history: TrainingRecord[] = [];
  let finalVal = NaN;
  let started = NaN;
  try {
    if (shards > 1) {
      threads = await DataParallel.start({ ...replicaJob(task), frozen }, model, shards);
    }
    started = performance.now();
    for (let step = 0; step < settings.steps; step++) {
      const options = {
        learningRate: learningRateAt(step, settings.schedule),
        clipNorm: settings.clipNorm,
      };
      const batch = next();
      let loss: number;
      if (threads === undefined) {
        try {
          loss = trainStep(() => taskLoss(task, model, batch), optimizer, options).loss;
        } finally {
          tf.dispose(Object.values(batch));
        }
      } else {
        let host: HostBatch;
        try {
          host = toHost(batch);
        } finally {
          tf.dispose(Object.values(batch));
        }
        const result = await threads.gradients(host);
        applyGradients(result.gradients, optimizer, options);
        threads.broadcast();
        loss = result.loss;
      }
      const record: TrainingRecord = { step, train: loss, learningRate: options.learningRate };
      if ((step + 1) % settings.evalEvery === 0 || step === settings.steps - 1) {
        record.val = validate();
        finalVal = record.val;
      }
      history.push(record);
      await onStep?.(record);
    }
  } finally {
    useFusedKernels(kernelsBefore);
    optimizer.dispose();
    threads?.close();
  }
  return { history, finalVal, seconds: (performance.now() - started) / 1000 };
}

/**
 * Train `model` on `trainTokens`, measuring validation loss on `valTokens`.
 *
 * @param random draws the training batches (seed it for a repeatable run)
 * @param onStep called after every step; awaited, so it may update a display
 */
export async function trainLanguageModel(
  model: GPT,
  trainTokens: Int32Array,
  valTokens: Int32Array,
  settings: TrainingSettings,
  random: Random,
  onStep?: (record: TrainingRecord) => void | Promise<void>,
): Promise<TrainingResult> {
  checkTrainingSettings(settings);
  const T = model.config.contextLength;
  const valBatches = fixedBatches(valTokens, {
    batches: settings.evalBatches,
    batchSize: settings.batchSize,
    contextLength: T,
  });
  try {
    return await trainLoop(
      { kind: "gpt", config: model.config },
      model,
      settings,
      () => ({ ...sampleBatch(trainTokens, settings.batchSize, T, random) }),
      () => meanLoss(valBatches, (b) => model.loss(b.x, b.y)),
      onStep,
    );
  } finally {
    disposeBatches(valBatches);
  }
}

/** Mean loss of `model` over `batches` fixed batches of `tokens` (the validation measure). */
export function evaluateLanguageModel(
  model: GPT,
  tokens: Int32Array,
  batches: number,
  batchSize: number,
): number {
  const set = fixedBatches(tokens, {
    batches,
    batchSize,
    contextLength: model.config.contextLength,
  });
  try {
    return meanLoss(set, (b) => model.loss(b.x, b.y));
  } finally {
    disposeBatches(set);
  }
}

/** The losses of a model on the training and on the validation text, measured alike. */
export interface TrainValidationLosses {
  /** Mean loss over fixed batches of the training text. */
  train: number;
  /** Mean loss over as many fixed batches of the validation text. */
  val: number;
  /** `val − train`: how much worse the model does on text it has not seen. */
  gap: number;
}

/**
 * The train-versus-validation gap: the mean loss of `model` on `batches` fixed batches of
 * `trainTokens` and on as many of `valTokens` (the same count, size and seed, so the two
 * compare), in evaluation mode.
 */
export function trainValidationGap(
  model: GPT,
  trainTokens: Int32Array,
  valTokens: Int32Array,
  batches: number,
  batchSize: number,
): TrainValidationLosses {
  const train = evaluateLanguageModel(model, trainTokens, batches, batchSize);
  const val = evaluateLanguageModel(model, valTokens, batches, batchSize);
  return { train, val, gap: val - train };
}
