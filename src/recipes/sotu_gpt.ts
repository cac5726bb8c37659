/**
 * The pretraining recipe of lesson 13 (`notebooks/13_fine_tuning.ipynb`), checkpoint
 * `data/sotu_gpt.ckpt`, made by `deno task train:sotu_gpt`: a GPT of lesson 12's modern design
 * that reads byte-level BPE tokens, pretrained on the State of the Union addresses. The lesson
 * then fine-tunes it as a spam classifier (`spam_classifier.ts`).
 *
 * @module
 */
import { type Address, joinAddresses, stateOfTheUnionSplit } from "../data/sotu.ts";
import { type GPTConfig, LLAMA_STYLE } from "../models/gpt.ts";
import { ByteBpeTokenizer } from "../tokenizers/byte_bpe.ts";
import type { TrainingSettings } from "../training/train_loop.ts";

/** Tokens of the byte-level BPE learned from the training addresses: 256 bytes + 1,792 merges. */
export const SOTU_VOCAB_SIZE = 2048;

/**
 * The model: lesson 12's design (rotary positions, RMSNorm, SwiGLU, 2 key/value heads, no biases)
 * and lesson 7's size (4 blocks, 4 heads, d_model 128), reading 128 tokens at once, about 470
 * bytes of text, twice lesson 7's window in tokens and seven times in text.
 */
export function sotuGPTConfig(vocabSize: number): GPTConfig {
  return {
    ...LLAMA_STYLE,
    vocabSize,
    contextLength: 128,
    dModel: 128,
    numHeads: 4,
    numKVHeads: 2,
    numLayers: 4,
    dFF: 392,
  };
}

/**
 * Pretraining: 1,100 steps of 8 windows of 128 tokens (about 1.1 million tokens, two fifths of the
 * training text), AdamW at 1.5e-3 (warm-up 100, cosine to 1e-4), clip 1.0, two threads; the
 * validation loss every 100 steps on 10 fixed batches.
 */
export const SOTU_GPT_TRAINING: TrainingSettings = {
  steps: 1100,
  batchSize: 8,
  schedule: { max: 1.5e-3, min: 1e-4, warmup: 100, total: 1100 },
  clipNorm: 1,
  optimizer: { beta1: 0.9, beta2: 0.99, weightDecay: 0.1 },
  evalEvery: 100,
  evalBatches: 10,
  shards: 2,
  fusedKernels: false, // attention and cross-entropy by their formulas, as the checkpoint was trained
};

/** Batches of the final validation measurement. */
export const SOTU_GPT_FINAL_EVAL_BATCHES = 100;

/** The seed of the shipped run. */
export const SOTU_GPT_SEED = 1790;

/** One side of the split as the model reads it. */
export interface SotuPart {
  /** Its addresses. */
  addresses: Address[];
  /** Their texts joined (`joinAddresses`), as token ids. */
  tokens: Int32Array;
  /** The UTF-8 bytes of that text, for bits per byte. */
  bytes: number;
}

/** The split addresses in tokens of `tokenizer`. */
export function sotuTokens(tokenizer: ByteBpeTokenizer): { train: SotuPart; val: SotuPart } {
  const { train, heldOut } = stateOfTheUnionSplit();
  const part = (addresses: Address[]): SotuPart => {
    const text = joinAddresses(addresses);
    return {
      addresses,
      tokens: Int32Array.from(tokenizer.encode(text)),
      bytes: new TextEncoder().encode(text).length,
    };
  };
  return { train: part(train), val: part(heldOut) };
}

/** The lesson's tokenizer: byte-level BPE with GPT-2's chunking, learned from the training addresses. */
export function trainSotuTokenizer(vocabSize = SOTU_VOCAB_SIZE): ByteBpeTokenizer {
  return ByteBpeTokenizer.train(joinAddresses(stateOfTheUnionSplit().train), vocabSize);
}
