/**
 * The recipe of lesson 10 (`notebooks/10_encoder_only.ipynb`), checkpoint `data/moby_mlm.ckpt`,
 * made by `deno task train:moby_mlm`: a BERT-style encoder learns to fill in masked words of
 * *Moby Dick*.
 *
 * @module
 */
import { mobyDickSplit } from "../data/moby_dick.ts";
import { splitSentences } from "../data/sentences.ts";
import type { EncoderOnly, EncoderOnlyConfig } from "../models/encoder_only.ts";
import { Random } from "../runtime/random.ts";
import { WordPieceTokenizer } from "../tokenizers/wordpiece.ts";
import {
  disposeMlmBatch,
  type MaskingOptions,
  maskTokens,
  type MlmBatch,
  mlmBatch,
  trainMaskedLanguageModel,
} from "../training/masked_lm.ts";
import {
  checkTrainingSettings,
  type TrainingRecord,
  type TrainingResult,
  type TrainingSettings,
} from "../training/train_loop.ts";

/** Tokens per sequence, `[CLS]` and `[SEP]` included. */
export const MLM_MAX_LENGTH = 40;

/** Size of the WordPiece vocabulary, special tokens included. */
export const MLM_VOCAB_SIZE = 4000;

/** The data of lesson 10. */
export interface MlmData {
  /** WordPiece, trained on the training text. */
  tokenizer: WordPieceTokenizer;
  /** Training sequences: `[CLS] … [SEP]`. */
  train: number[][];
  /** Held-out sequences (from the last 10 % of the book). */
  heldOut: number[][];
  /** Ids never masked: the special tokens. */
  specialIds: ReadonlySet<number>;
  /** The id of `[MASK]`. */
  maskId: number;
  /** The id of `[PAD]`. */
  padId: number;
}

/**
 * Token sequences of sentences: each sentence is WordPiece-encoded and wrapped as
 * `[CLS] … [SEP]`; a sentence too long for {@link MLM_MAX_LENGTH} is cut into pieces, each cut
 * made before a word (never inside one); sequences of fewer than 4 tokens are dropped.
 */
export function sentenceSequences(tokenizer: WordPieceTokenizer, text: string): number[][] {
  const cls = tokenizer.tokenId("[CLS]")!;
  const sep = tokenizer.tokenId("[SEP]")!;
  const room = MLM_MAX_LENGTH - 2;
  const out: number[][] = [];
  for (const sentence of splitSentences(text)) {
    const ids = tokenizer.encode(sentence);
    let start = 0;
    while (start < ids.length) {
      let end = Math.min(ids.length, start + room);
      // Move the cut back to the start of a word.
      while (
        end < ids.length && end > start + 1 && tokenizer.tokenText(ids[end]).startsWith("##")
      ) end--;
      if (end - start >= 2) out.push([cls, ...ids.slice(start, end), sep]);
      start = end;
    }
  }
  return out;
}

/** Lesson 10's data: the first 90 % of the book trains (tokenizer included), the rest is held out. */
export function mlmData(): MlmData {
  const { train, heldOut } = mobyDickSplit();
  const tokenizer = WordPieceTokenizer.train(train, MLM_VOCAB_SIZE);
  const specialIds = new Set(tokenizer.specialTokens.values());
  return {
    tokenizer,
    train: sentenceSequences(tokenizer, train),
    heldOut: sentenceSequences(tokenizer, heldOut),
    specialIds,
    maskId: tokenizer.tokenId("[MASK]")!,
    padId: tokenizer.tokenId("[PAD]")!,
  };
}

/** The masking settings of `data` (BERT's rule), drawing from `random`. */
export function mlmMasking(data: MlmData, random: Random): MaskingOptions {
  return {
    maskId: data.maskId,
    vocabSize: data.tokenizer.vocabSize,
    specialIds: data.specialIds,
    random,
  };
}

/** The model: 2 layers, 4 heads, d_model 64, 40 positions, BERT's prediction head. */
export function mlmConfig(data: Pick<MlmData, "tokenizer" | "padId">): EncoderOnlyConfig {
  return {
    vocabSize: data.tokenizer.vocabSize,
    maxLength: MLM_MAX_LENGTH,
    dModel: 64,
    numHeads: 4,
    numLayers: 2,
    padId: data.padId,
  };
}

/** Training: 2,500 steps of 128 sequences, AdamW lr 2e-3 (warm-up 100, cosine to 5e-5), clip 1. */
export const MLM_TRAINING: Omit<TrainingSettings, "evalBatches"> = {
  steps: 2500,
  // Only 15 % of tokens are predicted, so a step teaches far less than a GPT step over as many
  // tokens: large batches of a small, fast model get the most predictions into the minutes.
  batchSize: 128,
  schedule: { max: 2e-3, min: 5e-5, warmup: 100, total: 2500 },
  clipNorm: 1,
  optimizer: { beta1: 0.9, beta2: 0.98, weightDecay: 0.01 },
  evalEvery: 100,
  shards: 2, // each step's 128 sequences split over two threads
  fusedKernels: true, // attention and cross-entropy by the engine's kernels, as the checkpoint was trained
};

/** The seed of the shipped run. */
export const MLM_SEED = 99;

/**
 * Fixed evaluation batches of `sequences`: 15 % of the ordinary tokens chosen (seed 0) and
 * every chosen token replaced by `[MASK]` — "fill in the blank" on held-out text.
 */
export function mlmEvalBatches(
  data: MlmData,
  sequences: readonly number[][],
  batchSize = 64,
): MlmBatch[] {
  const masking = { ...mlmMasking(data, new Random(0)), mix: { mask: 1, random: 0 } };
  const batches: MlmBatch[] = [];
  for (let i = 0; i < sequences.length; i += batchSize) {
    const masked = sequences.slice(i, i + batchSize).map((ids) => maskTokens(ids, masking));
    batches.push(mlmBatch(masked, data.padId));
  }
  return batches;
}

/**
 * Train `model` by masked-language modelling on `data.train` (masked afresh at each draw, BERT's
 * rule); the validation loss is measured on the held-out sentences, masked once.
 */
export async function trainMlm(
  model: EncoderOnly,
  data: MlmData,
  settings: Omit<TrainingSettings, "evalBatches">,
  random: Random,
  onStep?: (record: TrainingRecord) => void | Promise<void>,
): Promise<TrainingResult> {
  checkTrainingSettings(settings);
  const validation = mlmEvalBatches(data, data.heldOut);
  try {
    return await trainMaskedLanguageModel(
      model,
      data.train,
      mlmMasking(data, random),
      validation,
      settings,
      onStep,
    );
  } finally {
    validation.forEach(disposeMlmBatch);
  }
}
