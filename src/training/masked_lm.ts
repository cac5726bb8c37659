/**
 * Masked-language modelling, BERT's recipe, and its training: in each sequence 15 % of the ordinary
 * tokens are chosen; of those, 80 % are replaced by `[MASK]`, 10 % by a random token and 10 %
 * left unchanged. The model must predict the original token at every chosen position.
 *
 * Why not always `[MASK]`? `[MASK]` never appears when the model is used, so a model that only
 * ever predicts behind `[MASK]` learns nothing useful about the vectors of real tokens. Random
 * and unchanged tokens make it keep a good vector for every position, since any token might be
 * one it will be asked about.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  requireId,
  requireIds,
  requireInRange,
  requirePositiveInteger,
} from "../runtime/checks.ts";
import type { TensorBatch } from "../engine/mod.ts";
import type { EncoderOnly } from "../models/encoder_only.ts";
import { IGNORE_TARGET } from "../models/registry.ts";
import { crossEntropy } from "../nn/cross_entropy.ts";
import type { Random } from "../runtime/random.ts";
import { padRows } from "./seq2seq_batches.ts";
import {
  type TrainingRecord,
  type TrainingResult,
  type TrainingSettings,
  trainLoop,
} from "./train_loop.ts";

/** Settings of {@link maskTokens}. */
export interface MaskingOptions {
  /** The id of `[MASK]`. */
  maskId: number;
  /** Number of ids (random replacements are drawn from the ordinary ones). */
  vocabSize: number;
  /** Ids never chosen nor drawn as replacements (`[CLS]`, `[SEP]`, `[PAD]`, `[MASK]`, …). */
  specialIds: ReadonlySet<number>;
  /** Share of ordinary tokens chosen (default 0.15); at least one per sequence. */
  rate?: number;
  /**
   * Shares of chosen tokens replaced by `[MASK]` and by a random token; the rest stay
   * unchanged. Default BERT's `{ mask: 0.8, random: 0.1 }`; `{ mask: 1, random: 0 }` masks
   * every chosen token (for evaluation).
   */
  mix?: { mask: number; random: number };
  /** Draws the choices. */
  random: Random;
}

/** What happened to a chosen position. */
export type MaskAction = "mask" | "random" | "same";

/** One sequence ready for masked-language-model training. */
export interface MaskedSequence {
  /** The model's input: the sequence with the chosen tokens replaced. */
  input: number[];
  /** The chosen positions, in order. */
  positions: number[];
  /** The original token at each chosen position (what the model must predict). */
  labels: number[];
  /** What was done at each chosen position. */
  actions: MaskAction[];
}

/** Choose and replace tokens of `ids` by BERT's 15 % / 80-10-10 rule. */
export function maskTokens(ids: readonly number[], options: MaskingOptions): MaskedSequence {
  const rate = options.rate ?? 0.15;
  requireInRange("masking rate", rate, 0, 1, "(]");
  requirePositiveInteger("vocabSize", options.vocabSize);
  requireId("maskId", options.maskId, options.vocabSize);
  requireIds("token id", ids, options.vocabSize);
  const mix = options.mix ?? { mask: 0.8, random: 0.1 };
  requireInRange("mix.mask", mix.mask, 0, 1);
  requireInRange("mix.random", mix.random, 0, 1);
  if (mix.mask + mix.random > 1 + 1e-12) {
    throw new RangeError(
      `mix.mask + mix.random must be at most 1 (the rest stay unchanged), ` +
        `got ${mix.mask} + ${mix.random}`,
    );
  }
  const { random, specialIds } = options;
  const candidates = ids.flatMap((id, i) => (specialIds.has(id) ? [] : [i]));
  const count = Math.min(candidates.length, Math.max(1, Math.round(rate * candidates.length)));
  const positions = random.shuffle(candidates).slice(0, count).sort((a, b) => a - b);
  const input = [...ids];
  const actions: MaskAction[] = positions.map((position) => {
    const r = random.next();
    if (r < mix.mask) {
      input[position] = options.maskId;
      return "mask";
    }
    if (r < mix.mask + mix.random) {
      input[position] = randomOrdinaryId(options);
      return "random";
    }
    return "same";
  });
  return { input, positions, labels: positions.map((p) => ids[p]), actions };
}

function randomOrdinaryId({ vocabSize, specialIds, random }: MaskingOptions): number {
  if (specialIds.size >= vocabSize) throw new RangeError("every id is special: nothing to draw");
  for (;;) {
    const id = random.int(vocabSize);
    if (!specialIds.has(id)) return id;
  }
}

/** Tensors of a masked-language-model batch. */
export interface MlmBatch {
  /** Inputs `(B, T)`, padded to the longest sequence of the batch. */
  ids: tf.Tensor2D;
  /** Chosen positions as flat indices `b · T + t`, `(N)`. */
  positions: tf.Tensor1D;
  /** The original tokens there, `(N)`. */
  labels: tf.Tensor1D;
}

/** Stack masked sequences into one batch. */
export function mlmBatch(sequences: readonly MaskedSequence[], padId: number): MlmBatch {
  if (sequences.length === 0) throw new RangeError("a batch needs at least one sequence");
  sequences.forEach((s, b) => requireIds(`sequence ${b}: position`, s.positions, s.input.length));
  const rows = padRows(sequences.map((s) => s.input), padId);
  const T = rows[0].length;
  return {
    ids: tf.tensor2d(rows, undefined, "int32"),
    positions: tf.tensor1d(sequences.flatMap((s, b) => s.positions.map((t) => b * T + t)), "int32"),
    labels: tf.tensor1d(sequences.flatMap((s) => s.labels), "int32"),
  };
}

/** Free a batch's tensors. */
export function disposeMlmBatch(batch: MlmBatch): void {
  tf.dispose([batch.ids, batch.positions, batch.labels]);
}

/**
 * A training batch of masked sequences as rows (so it splits into shards): `ids` `(B, T)` the
 * inputs, `targets` `(B, T)` the original token at each chosen position and
 * {@link IGNORE_TARGET} elsewhere.
 */
export function mlmTrainingBatch(sequences: readonly MaskedSequence[], padId: number): TensorBatch {
  if (sequences.length === 0) throw new RangeError("a batch needs at least one sequence");
  const rows = padRows(sequences.map((s) => s.input), padId);
  const targets = rows.map((row) => row.map(() => IGNORE_TARGET));
  sequences.forEach((s, b) => {
    requireIds(`sequence ${b}: position`, s.positions, s.input.length);
    s.positions.forEach((t, k) => (targets[b][t] = s.labels[k]));
  });
  return {
    ids: tf.tensor2d(rows, undefined, "int32"),
    targets: tf.tensor2d(targets, undefined, "int32"),
  };
}

/** Top-1 accuracy and mean loss of `model` at the chosen positions of `batches`. */
export function mlmAccuracy(
  model: EncoderOnly,
  batches: readonly MlmBatch[],
): { accuracy: number; loss: number } {
  let right = 0;
  let total = 0;
  let lossSum = 0;
  for (const b of batches) {
    const [hits, loss] = tf.tidy(() => {
      const logits = model.logitsAt(b.ids, b.positions); // (N, V)
      const hit = logits.argMax(-1).equal(b.labels).sum().dataSync()[0];
      return [hit, crossEntropy(logits, b.labels).dataSync()[0]];
    });
    const n = b.labels.shape[0];
    right += hits;
    total += n;
    lossSum += loss * n;
  }
  return { accuracy: right / total, loss: lossSum / total };
}

/**
 * Train `model` by masked-language modelling on `sequences`: each step draws `batchSize` of
 * them (with `masking.random`) and masks them afresh, so a sequence is masked differently each
 * time it comes round. The validation loss is {@link mlmAccuracy}'s on `validation`.
 *
 * @param onStep called after every step; awaited, so it may update a display
 */
export async function trainMaskedLanguageModel(
  model: EncoderOnly,
  sequences: readonly number[][],
  masking: MaskingOptions,
  validation: readonly MlmBatch[],
  settings: Omit<TrainingSettings, "evalBatches">,
  onStep?: (record: TrainingRecord) => void | Promise<void>,
): Promise<TrainingResult> {
  const { random } = masking; // trainLoop checks the settings before it draws a batch
  const padId = model.config.padId;
  return await trainLoop(
    { kind: "encoder-only", config: model.config },
    model,
    settings,
    () =>
      mlmTrainingBatch(
        Array.from(
          { length: settings.batchSize },
          () => maskTokens(sequences[random.int(sequences.length)], masking),
        ),
        padId,
      ),
    () => mlmAccuracy(model, validation).loss,
    onStep,
  );
}
