/**
 * The recipe of lesson 11 (`notebooks/11_chat.ipynb`), checkpoint `data/sum_chat.ckpt`, made by
 * `deno task train:sum_chat`: a small chat model that answers sums. Conversations are generated in the
 * spirit of the course's seed — system "You are a math teacher.", user "what is 2+1" — for
 * every pair of numbers from 0 to 99, with some question pairs held out to test on.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { GPT, GPTConfig } from "../models/gpt.ts";
import { IGNORE_TARGET, type TrainingTask } from "../models/registry.ts";
import { Random } from "../runtime/random.ts";
import { CharTokenizer } from "../tokenizers/char.ts";
import {
  CHAT_SPECIAL_TOKENS,
  type ChatTemplate,
  type Message,
} from "../tokenizers/chat_template.ts";
import { disposeBatch } from "../training/batches.ts";
import { chatBatch } from "../training/chat_batches.ts";
import {
  checkTrainingSettings,
  type TrainingRecord,
  type TrainingResult,
  type TrainingSettings,
  trainLoop,
} from "../training/train_loop.ts";

/** A question: what is a + b? */
export interface SumQuestion {
  /** First number, 0–99. */
  a: number;
  /** Second number, 0–99. */
  b: number;
}

/** The system prompts a conversation may start with. */
export const SUM_SYSTEM_PROMPTS: readonly string[] = [
  "You are a math teacher.",
  "You are a helpful math teacher.",
];

/** The ways a user may ask; `{a}` and `{b}` are replaced by the numbers. */
export const SUM_QUESTION_FORMS: readonly string[] = [
  "what is {a}+{b}",
  "What is {a} + {b}?",
  "what's {a} plus {b}?",
  "{a}+{b}=?",
  "Please add {a} and {b}.",
];

/** The user's question in form `form` (an index into {@link SUM_QUESTION_FORMS}). */
export function sumQuestionText(q: SumQuestion, form: number): string {
  return SUM_QUESTION_FORMS[form].replace("{a}", String(q.a)).replace("{b}", String(q.b));
}

/** The assistant's answer: "2 + 1 = 3." */
export function sumAnswerText(q: SumQuestion): string {
  return `${q.a} + ${q.b} = ${q.a + q.b}.`;
}

/** One question of a conversation, asked in one of the {@link SUM_QUESTION_FORMS}. */
export interface SumTurn {
  /** The question. */
  q: SumQuestion;
  /** Index of its form. */
  form: number;
}

/**
 * A conversation of one or more turns: a system prompt (an index into
 * {@link SUM_SYSTEM_PROMPTS}), then each question and its answer; with `answerLast` false the
 * last answer is left for the model to write.
 */
export function sumDialogue(
  system: number,
  turns: readonly SumTurn[],
  answerLast = true,
): Message[] {
  const messages: Message[] = [{ role: "system", content: SUM_SYSTEM_PROMPTS[system] }];
  turns.forEach(({ q, form }, i) => {
    messages.push({ role: "user", content: sumQuestionText(q, form) });
    if (answerLast || i < turns.length - 1) {
      messages.push({ role: "assistant", content: sumAnswerText(q) });
    }
  });
  return messages;
}

/** A one-question conversation: a system prompt, the question, and (unless `withAnswer` is false) the answer. */
export function sumConversation(
  q: SumQuestion,
  variant: { system: number; form: number },
  withAnswer = true,
): Message[] {
  return sumDialogue(variant.system, [{ q, form: variant.form }], withAnswer);
}

/**
 * Held-out questions as conversations to complete, with the answer each should get: question
 * i is asked in form i mod 5 under system prompt i mod 2. With `before`, each is asked
 * second, after question `before[i]` (in form i + 2 mod 5) and its answer.
 */
export function sumChatCases(
  questions: readonly SumQuestion[],
  before?: readonly SumQuestion[],
): { messages: Message[]; expected: string }[] {
  const forms = SUM_QUESTION_FORMS.length;
  return questions.map((q, i) => ({
    messages: sumDialogue(i % SUM_SYSTEM_PROMPTS.length, [
      ...(before ? [{ q: before[i], form: (i + 2) % forms }] : []),
      { q, form: i % forms },
    ], false),
    expected: sumAnswerText(q),
  }));
}

/** The question pairs of lesson 11, split three ways. */
export interface SumQuestionSplit {
  /** Pairs to train on (9,300). */
  train: SumQuestion[];
  /** Pairs for the validation loss during training (200). */
  validation: SumQuestion[];
  /** Pairs for the final exact-answer accuracy (500), never seen in training in any phrasing. */
  test: SumQuestion[];
}

/**
 * All 10,000 pairs (a, b) with 0 ≤ a, b ≤ 99, shuffled with a fixed seed (11): the first 500
 * are the test set, the next 200 validation, the rest train.
 */
export function sumQuestionSplit(): SumQuestionSplit {
  const pairs: SumQuestion[] = [];
  for (let a = 0; a < 100; a++) for (let b = 0; b < 100; b++) pairs.push({ a, b });
  new Random(11).shuffle(pairs);
  return { test: pairs.slice(0, 500), validation: pairs.slice(500, 700), train: pairs.slice(700) };
}

/** A character tokenizer for every text of the task, with the chat tokens as special tokens. */
export function sumChatTokenizer(): CharTokenizer {
  const text = [
    ...SUM_SYSTEM_PROMPTS,
    ...SUM_QUESTION_FORMS,
    "0123456789 +=.",
  ].join("");
  return CharTokenizer.train(text.replaceAll("{a}", "").replaceAll("{b}", ""), CHAT_SPECIAL_TOKENS);
}

/** The chat model: a GPT of 3 layers, 4 heads, d_model 64, context 128 (two turns and more). */
export function sumChatConfig(vocabSize: number): GPTConfig {
  return { vocabSize, contextLength: 128, dModel: 64, numHeads: 4, numLayers: 3 };
}

/** Training: batch 32 conversations, AdamW lr 2e-3 (warm-up 100, cosine to 1e-4), clip 1. */
export const SUM_CHAT_TRAINING: Omit<TrainingSettings, "evalBatches"> = {
  steps: 3000,
  batchSize: 32,
  schedule: { max: 2e-3, min: 1e-4, warmup: 100, total: 3000 },
  clipNorm: 1,
  optimizer: { beta1: 0.9, beta2: 0.99, weightDecay: 0.1 },
  evalEvery: 100,
  fusedKernels: false, // attention and cross-entropy by their formulas, as the checkpoint was trained
};

/** The seed of the shipped run. */
export const SUM_CHAT_SEED = 7;

/** Turns in a training conversation: 1 or 2, so the model learns to answer after earlier turns too. */
export const SUM_MAX_TURNS = 2;

/**
 * Train the chat model on conversations about the `train` pairs (each step: `batchSize`
 * conversations of 1 or 2 random pairs, each in a random system prompt and phrasing), with the
 * loss on the assistant's tokens only; the validation loss is measured on the `validation`
 * pairs.
 *
 * @param random draws the pairs and phrasings (seed it for a repeatable run)
 * @param onStep called after every step; awaited, so it may update a display
 */
export async function trainSumChat(
  model: GPT,
  template: ChatTemplate,
  split: Pick<SumQuestionSplit, "train" | "validation">,
  settings: Omit<TrainingSettings, "evalBatches">,
  random: Random,
  onStep?: (record: TrainingRecord) => void | Promise<void>,
): Promise<TrainingResult> {
  checkTrainingSettings(settings);
  const forms = SUM_QUESTION_FORMS.length;
  const validation = chatBatch(
    template,
    split.validation.map((q, i) => {
      const turns = [{ q, form: i % forms }];
      const next = split.validation[(i + 1) % split.validation.length];
      if (i % 2 === 1) turns.push({ q: next, form: (i + 1) % forms });
      return template.encode(sumDialogue(i % SUM_SYSTEM_PROMPTS.length, turns));
    }),
  );
  const randomConversation = () => {
    const system = random.int(SUM_SYSTEM_PROMPTS.length);
    const turns = Array.from({ length: 1 + random.int(SUM_MAX_TURNS) }, () => ({
      q: split.train[random.int(split.train.length)],
      form: random.int(forms),
    }));
    return template.encode(sumDialogue(system, turns));
  };
  const task: TrainingTask<"gpt"> = {
    kind: "gpt",
    config: model.config,
    options: { ignoreId: IGNORE_TARGET },
  };
  try {
    return await trainLoop(
      task,
      model,
      settings,
      () => ({
        ...chatBatch(template, Array.from({ length: settings.batchSize }, randomConversation)),
      }),
      // A measurement, not a step: the model's loss in evaluation mode (no dropout).
      () =>
        tf.tidy(() =>
          model.loss(validation.x, validation.y, { ignoreId: IGNORE_TARGET }).dataSync()[0]
        ),
      onStep,
    );
  } finally {
    disposeBatch(validation);
  }
}
