/**
 * The training loop of an encoder-decoder: epochs of length-bucketed batches, a step at the
 * scheduled learning rate with teacher forcing and label smoothing, and now and then the loss
 * on held-out pairs.
 *
 * @module
 */
import type { EncoderDecoder } from "../models/encoder_decoder.ts";
import { requireInRange } from "../runtime/checks.ts";
import type { Random } from "../runtime/random.ts";
import { meanLoss } from "./evaluate.ts";
import {
  disposeSeq2SeqBatch,
  lengthBucketedBatches,
  type Seq2SeqBatch,
  seq2seqBatch,
  type Seq2SeqExample,
  type Seq2SeqIds,
} from "./seq2seq_batches.ts";
import {
  checkTrainingSettings,
  type TrainingRecord,
  type TrainingResult,
  type TrainingSettings,
  trainLoop,
} from "./train_loop.ts";

/** Settings of {@link trainSeq2Seq}: the language model's, plus label smoothing. */
export interface Seq2SeqTrainingSettings extends Omit<TrainingSettings, "evalBatches"> {
  /** Share of each target's probability spread over the whole vocabulary (e.g. 0.1). */
  labelSmoothing: number;
}

/**
 * Train `model` on `train` pairs, measuring the (unsmoothed) loss on all of `validation`.
 *
 * @param random orders the examples (seed it for a repeatable run)
 * @param onStep called after every step; awaited, so it may update a display
 */
export async function trainSeq2Seq(
  model: EncoderDecoder,
  train: readonly Seq2SeqExample[],
  validation: readonly Seq2SeqExample[],
  ids: Seq2SeqIds,
  settings: Seq2SeqTrainingSettings,
  random: Random,
  onStep?: (record: TrainingRecord) => void | Promise<void>,
): Promise<TrainingResult> {
  checkTrainingSettings(settings);
  requireInRange("settings.labelSmoothing", settings.labelSmoothing, 0, 1, "[)");
  const sorted = [...validation].sort((a, b) => a.source.length - b.source.length);
  const valBatches: Seq2SeqBatch[] = [];
  for (let i = 0; i < sorted.length; i += settings.batchSize) {
    valBatches.push(seq2seqBatch(sorted.slice(i, i + settings.batchSize), ids));
  }
  let epoch: Seq2SeqExample[][] = [];
  try {
    return await trainLoop(
      {
        kind: "encoder-decoder",
        config: model.config,
        options: { labelSmoothing: settings.labelSmoothing },
      },
      model,
      settings,
      () => {
        if (epoch.length === 0) epoch = lengthBucketedBatches(train, settings.batchSize, random);
        return { ...seq2seqBatch(epoch.pop()!, ids) };
      },
      () => meanLoss(valBatches, (b) => model.loss(b.source, b.targetIn, b.targetOut)),
      onStep,
    );
  } finally {
    valBatches.forEach(disposeSeq2SeqBatch);
  }
}
