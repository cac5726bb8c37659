/**
 * Lesson 13's second pretraining (`notebooks/13_fine_tuning.ipynb`), checkpoint
 * `data/email_gpt.ckpt`, made by `deno task train:email_gpt`: the GPT pretrained on the State of
 * the Union (`sotu_gpt.ts`) trained on as a language model, now on the text of the training
 * emails, their labels never read ("task-adaptive pretraining"). The spam classifier
 * (`spam_classifier.ts`) is fine-tuned from it.
 *
 * @module
 */
import type { Email } from "../data/spam_assassin.ts";
import type { Tokenizer } from "../tokenizers/tokenizer.ts";
import type { TrainingSettings } from "../training/train_loop.ts";

/** Characters of each email the language model reads: its first 2,000 (about 540 tokens). */
export const EMAIL_LM_CHARACTERS = 2000;

/**
 * Continued pretraining: 1,200 steps of 8 windows of 128 tokens (about 1.2 million tokens, two
 * fifths of the training emails' text), AdamW at 1e-3 (warm-up 50, cosine to 1e-4), clip 1.0,
 * two threads, attention and cross-entropy by the engine's kernels; the validation loss every 100
 * steps on 10 fixed batches of the test emails' text (measured, never trained on).
 */
export const EMAIL_GPT_TRAINING: TrainingSettings = {
  steps: 1200,
  batchSize: 8,
  schedule: { max: 1e-3, min: 1e-4, warmup: 50, total: 1200 },
  clipNorm: 1,
  optimizer: { beta1: 0.9, beta2: 0.99, weightDecay: 0.1 },
  evalEvery: 100,
  evalBatches: 10,
  shards: 2,
  fusedKernels: true,
};

/** Batches of the final validation measurement. */
export const EMAIL_GPT_FINAL_EVAL_BATCHES = 100;

/** The seed of the shipped run's batches. */
export const EMAIL_GPT_SEED = 2002;

/**
 * Emails as one text for a language model: each one's first {@link EMAIL_LM_CHARACTERS}
 * characters, joined by blank lines.
 */
export function emailLanguageText(emails: readonly Email[]): string {
  return emails.map((e) => Array.from(e.text).slice(0, EMAIL_LM_CHARACTERS).join("")).join(
    "\n\n",
  );
}

/** Emails' text ({@link emailLanguageText}) as token ids, and its size in UTF-8 bytes. */
export interface EmailTokens {
  /** The token ids. */
  tokens: Int32Array;
  /** The UTF-8 bytes of the text. */
  bytes: number;
}

/** The text of `emails` ({@link emailLanguageText}) in tokens of `tokenizer`. */
export function emailTokens(tokenizer: Tokenizer, emails: readonly Email[]): EmailTokens {
  if (emails.length === 0) throw new RangeError("emailTokens needs at least one email");
  const text = emailLanguageText(emails);
  return {
    tokens: Int32Array.from(tokenizer.encode(text)),
    bytes: new TextEncoder().encode(text).length,
  };
}
