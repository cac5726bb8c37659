/**
 * The fine-tuning recipe of lesson 13 (`notebooks/13_fine_tuning.ipynb`): lesson 13's pretrained
 * GPT (pretrained on the speeches, `sotu_gpt.ts`, then on the training emails' text,
 * `email_gpt.ts`) turned into a spam classifier (`models/gpt_classifier.ts`) three ways, and the
 * same classifier trained from scratch, on the SpamAssassin emails (`data/spam_assassin.ts`).
 * `deno task train:spam_classifier` trains the best of them on every training email and saves
 * `data/spam_classifier.ckpt`; `deno task grid:spam_classifier` trains every method at every label
 * budget and writes `data/spam_grid.json`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { TensorBatch } from "../engine/mod.ts";
import { type Email, labelBudget, spamSplit } from "../data/spam_assassin.ts";
import { binaryMetrics, confusionMatrix } from "../metrics/classification.ts";
import { trainBagOfWordsBaseline } from "../models/bag_of_words.ts";
import type { GPTConfig } from "../models/gpt.ts";
import { attentionProjections, GPTClassifier, type Pooling } from "../models/gpt_classifier.ts";
import { crossEntropy } from "../nn/cross_entropy.ts";
import type { LoRAOptions } from "../nn/lora.ts";
import { setTrainable, trainableParameters } from "../nn/module.ts";
import { readRunsFile, requirePositiveInteger } from "../runtime/checks.ts";
import { Random, setSeed } from "../runtime/random.ts";
import type { Tokenizer } from "../tokenizers/tokenizer.ts";
import { type Checkpoint, restoreWeights } from "../training/checkpoint.ts";
import { type TrainingRecord, type TrainingResult, trainLoop } from "../training/train_loop.ts";
import type { TrainingSettings } from "../training/train_loop.ts";
import { withSteps } from "../training/schedule.ts";
import { SOTU_VOCAB_SIZE, sotuGPTConfig } from "./sotu_gpt.ts";

/** How a classifier is made from the pretrained GPT, or without it. */
export type FineTuneMethod = "scratch" | "full" | "last-block" | "lora";

/** The methods, in the order the lesson compares them, with what each trains. */
export const FINE_TUNE_METHODS: readonly {
  method: FineTuneMethod;
  name: string;
  trains: string;
}[] = [
  { method: "scratch", name: "from scratch", trains: "every weight, from a random start" },
  {
    method: "full",
    name: "full fine-tuning",
    trains: "every pretrained weight (except the unused LM head), and the head",
  },
  {
    method: "last-block",
    name: "last block + head",
    trains: "the last block, the final norm and the head",
  },
  {
    method: "lora",
    name: "LoRA (r = 8)",
    trains: "rank-8 adapters on W_Q, W_K, W_V, W_O, and the head",
  },
];

/**
 * The lesson's best fine-tuning method, by the grid (`data/spam_grid.json`): with every label the
 * last block + head and LoRA both got 97.1 %, the last block with the higher F1 and in two thirds
 * of LoRA's time. Trained live in the lesson (beside LoRA), and on every training email shipped as
 * `data/spam_classifier.ckpt`.
 */
export const SPAM_BEST_METHOD: FineTuneMethod = "last-block";

/**
 * What the classification head reads: the mean of every real token's state. The last token's
 * state alone (the GPT-1 way) learned far less from few labels here: fully fine-tuned on 50
 * emails, 79 % test accuracy against 91 % (`data/spam_grid.json`); the grid measures both.
 */
export const SPAM_POOLING: Pooling = "mean";

/** LoRA's rank and scale: r = 8, α = 16 (ΔW scaled by 2). */
export const SPAM_LORA: LoRAOptions = { rank: 8, alpha: 16 };

/** The label budgets of the comparison; `Infinity` is every training email. */
export const SPAM_LABEL_BUDGETS: readonly number[] = [50, 200, Infinity];

/** The seed that draws each label budget (`labelBudget`). */
export const SPAM_BUDGET_SEED = 13;

/** The seed of the head's (and adapters') initial weights and of the batches. */
export const SPAM_SEED = 2002;

/** Tokens of an email the classifier reads: the first 128, the pretrained model's context. */
export const SPAM_CONTEXT: number = sotuGPTConfig(SOTU_VOCAB_SIZE).contextLength;

/**
 * Training of one method on `examples` labelled emails: batches of 16 for 3 epochs, at least 100
 * steps (100 for 50 or 200 emails, 998 for all 5,324), AdamW with a 10 % warm-up, then cosine
 * decay to a tenth, clip 1.0, weight decay 0.1 only from scratch. Peak learning rates: 1e-3 for
 * the whole model (from scratch or fine-tuned), 2e-3 for the last block and for LoRA's adapters.
 * Two threads.
 */
export function spamTraining(method: FineTuneMethod, examples: number): TrainingSettings {
  const batchSize = 16;
  const steps = Math.max(100, Math.round((SPAM_EPOCHS * examples) / batchSize));
  const max = { scratch: 1e-3, full: 1e-3, "last-block": 2e-3, lora: 2e-3 }[method];
  return {
    steps,
    batchSize,
    schedule: { max, min: max / 10, warmup: Math.round(steps / 10), total: steps },
    clipNorm: 1,
    optimizer: { beta1: 0.9, beta2: 0.99, weightDecay: method === "scratch" ? 0.1 : 0 },
    evalEvery: Math.max(25, Math.round(steps / 10)),
    evalBatches: 1,
    shards: 2,
    fusedKernels: false, // attention and cross-entropy by their formulas, as the grid was made
  };
}

/** Passes over the labelled emails of a fine-tuning run (with at least 100 steps). */
export const SPAM_EPOCHS = 3;

/** An email as the classifier reads it. */
export interface EncodedEmail {
  /** Its first {@link SPAM_CONTEXT} token ids (at least one). */
  ids: number[];
  /** 1 = spam, 0 = ham. */
  label: 0 | 1;
}

/** Tokenize emails, keeping the first `contextLength` tokens of each. */
export function encodeEmails(
  tokenizer: Tokenizer,
  emails: readonly Email[],
  contextLength = SPAM_CONTEXT,
): EncodedEmail[] {
  return emails.map((email) => {
    const ids = tokenizer.encode(email.text).slice(0, contextLength);
    if (ids.length === 0) throw new RangeError(`email ${email.group}/${email.id} has no tokens`);
    return { ids, label: email.label };
  });
}

/**
 * A batch of a classifier (`{ ids, last, label }`, see the registry): the emails' ids padded on
 * the right with id 0 to the longest of them, each row's last real position, its label.
 */
export function classificationBatch(examples: readonly EncodedEmail[]): TensorBatch {
  if (examples.length === 0) {
    throw new RangeError("a classification batch needs at least one email");
  }
  const bad = examples.findIndex((e) => e.ids.length === 0 || (e.label !== 0 && e.label !== 1));
  if (bad >= 0) {
    throw new RangeError(
      `example ${bad} of the batch has ${examples[bad].ids.length} ids and label ` +
        `${examples[bad].label}: expected at least one id and a label of 0 or 1`,
    );
  }
  const B = examples.length;
  const T = Math.max(...examples.map((e) => e.ids.length));
  const ids = new Int32Array(B * T); // zeros: the padding
  examples.forEach((e, b) => ids.set(e.ids, b * T));
  return {
    ids: tf.tensor2d(ids, [B, T], "int32"),
    last: tf.tensor2d(examples.map((e) => e.ids.length - 1), [B, 1], "int32"),
    label: tf.tensor2d(examples.map((e) => e.label), [B, 1], "int32"),
  };
}

/**
 * A classifier for `method`, its weights drawn from {@link SPAM_SEED}: from scratch, a random GPT
 * of the pretrained one's shape; otherwise the pretrained GPT's weights, with the parts the method
 * does not train frozen. Its head reads the email as `pooling` says (default {@link SPAM_POOLING}).
 */
export function spamClassifier(
  method: FineTuneMethod,
  pretrained: Checkpoint,
  pooling: Pooling = SPAM_POOLING,
): GPTClassifier {
  if (pretrained.header.kind !== "gpt") {
    throw new Error(
      `spamClassifier needs a pretrained GPT's checkpoint, got one of a ${pretrained.header.kind}`,
    );
  }
  setSeed(SPAM_SEED);
  const model = new GPTClassifier({
    gpt: pretrained.header.config as unknown as GPTConfig,
    numClasses: 2,
    lora: method === "lora" ? SPAM_LORA : null,
    pooling,
  });
  if (method === "scratch") return model;
  try {
    const pretrainedWeights = new Map(
      [...model.gpt.parameters()].filter(([name]) => !name.includes(".adapter.")),
    );
    restoreWeights(model.gpt, pretrained, pretrainedWeights);
    if (method === "last-block") {
      setTrainable(model, false);
      for (const part of [model.gpt.blocks.at(-1)!, model.gpt.finalNorm, model.head]) {
        setTrainable(part, true);
      }
    } else if (method === "lora") {
      setTrainable(model, false);
      for (const layer of attentionProjections(model.gpt)) setTrainable(layer.adapter!, true);
      setTrainable(model.head, true);
    }
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}

/**
 * Train `model` on `train` with `settings`, batches drawn from {@link SPAM_SEED}; `validate` is
 * called at each measurement (the lesson passes the loss on a fixed sample of test emails, shown
 * on the curve and never used by the training: its steps and settings are fixed in advance).
 */
export async function fineTuneSpam(
  model: GPTClassifier,
  train: readonly EncodedEmail[],
  settings: TrainingSettings,
  validate: () => number,
  onStep?: (record: TrainingRecord) => void | Promise<void>,
): Promise<TrainingResult> {
  const random = new Random(SPAM_SEED);
  return await trainLoop(
    { kind: "gpt-classifier", config: model.config },
    model,
    settings,
    () =>
      classificationBatch(
        Array.from({ length: settings.batchSize }, () => train[random.int(train.length)]),
      ),
    validate,
    onStep,
  );
}

/** What a classifier says of some emails. */
export interface SpamPredictions {
  /** The class it picks for each (1 = spam). */
  predicted: number[];
  /** Its probability of spam for each. */
  spamProbability: number[];
  /** The mean cross-entropy of the true labels. */
  loss: number;
}

/** Run `model` over `examples` in batches of `batchSize` (evaluation: no dropout). */
export function predictSpam(
  model: GPTClassifier,
  examples: readonly EncodedEmail[],
  batchSize = 32,
): SpamPredictions {
  if (examples.length === 0) throw new RangeError("predictSpam needs at least one email");
  requirePositiveInteger("predictSpam batchSize", batchSize);
  const out: SpamPredictions = { predicted: [], spamProbability: [], loss: 0 };
  for (let i = 0; i < examples.length; i += batchSize) {
    const rows = examples.slice(i, i + batchSize);
    const batch = classificationBatch(rows);
    try {
      const [p, loss] = tf.tidy(() => {
        const last = batch.last.reshape([-1]) as tf.Tensor1D;
        const labels = batch.label.reshape([-1]) as tf.Tensor1D;
        const logits = model.forward(batch.ids as tf.Tensor2D, last);
        return [
          tf.softmax(logits).dataSync(),
          crossEntropy(logits, labels).dataSync()[0],
        ] as const;
      });
      rows.forEach((_, r) => {
        out.spamProbability.push(p[2 * r + 1]);
        out.predicted.push(p[2 * r + 1] > p[2 * r] ? 1 : 0);
      });
      out.loss += loss * rows.length;
    } finally {
      tf.dispose(Object.values(batch));
    }
  }
  out.loss /= examples.length;
  return out;
}

/** The emails of the comparison, each tokenized once. */
export interface SpamData {
  /** The training emails (`spamSplit`). */
  train: Email[];
  /** The test emails. */
  test: Email[];
  /** Each training email as the classifier reads it. */
  encoded: Map<Email, EncodedEmail>;
  /** The test emails as the classifier reads them, in order. */
  encodedTest: EncodedEmail[];
}

/** The split emails, tokenized by `tokenizer` (the pretrained model's). */
export function spamData(tokenizer: Tokenizer): SpamData {
  const { train, test } = spamSplit();
  const encodedTrain = encodeEmails(tokenizer, train);
  return {
    train,
    test,
    encoded: new Map(train.map((email, i) => [email, encodedTrain[i]])),
    encodedTest: encodeEmails(tokenizer, test),
  };
}

/** The labelled emails of a budget: `labelBudget` with {@link SPAM_BUDGET_SEED}. */
export function budgetEmails(data: SpamData, labels: number): Email[] {
  return labelBudget(data.train, Math.min(labels, data.train.length), SPAM_BUDGET_SEED);
}

/** A method of the comparison: a way to fine-tune, or the bag-of-words baseline. */
export type SpamMethod = FineTuneMethod | "bag-of-words";

/** One method at one label budget, scored on the test emails. */
export interface SpamRun {
  /** The method. */
  method: SpamMethod;
  /** What the transformer's head read ("last" or "mean"); none for the baseline. */
  pooling?: Pooling;
  /**
   * The command that made the pretrained model it started from (that checkpoint's `made`), such
   * as "deno task train:email_gpt"; none from scratch and for the baseline.
   */
  pretrained?: string;
  /** Labelled training emails it learned from. */
  labels: number;
  /** Training steps (0 for the baseline: 100 full-batch epochs of its own). */
  steps: number;
  /** Numbers it trained. */
  trainable: number;
  /** Seconds of training. */
  seconds: number;
  /** Test accuracy, precision, recall and F1 (spam is positive). */
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  /** Test confusion matrix: rows actual (ham, spam), columns predicted. */
  confusion: number[][];
}

/** The scores of `predicted` classes against the test emails of `data`. */
export function scoreSpam(
  predicted: readonly number[],
  data: SpamData,
): Pick<SpamRun, "accuracy" | "precision" | "recall" | "f1" | "confusion"> {
  const actual = data.test.map((e) => e.label);
  const m = binaryMetrics(predicted, actual);
  return {
    accuracy: m.accuracy,
    precision: m.precision,
    recall: m.recall,
    f1: m.f1,
    confusion: confusionMatrix(predicted, actual, 2),
  };
}

/** The bag-of-words baseline trained on `labels` emails and scored. */
export function baselineRun(data: SpamData, labels: number): SpamRun {
  const emails = budgetEmails(data, labels);
  const started = performance.now();
  const baseline = trainBagOfWordsBaseline(emails);
  const seconds = (performance.now() - started) / 1000;
  return {
    method: "bag-of-words",
    labels: emails.length,
    steps: 0,
    trainable: baseline.model.weights.length + 1,
    seconds,
    ...scoreSpam(baseline.predict(data.test.map((e) => e.text)), data),
  };
}

/**
 * Test emails whose loss the fine-tuning curve shows: every 4th (148 of 592; the test list is in
 * folder order, so the first ones would all be ham).
 */
export const SPAM_CURVE_EVERY = 4;

/**
 * Fine-tune a classifier by `method` on `labels` emails (the pretrained GPT from `pretrained`)
 * with {@link spamTraining} (`options.steps` shortens it, the schedule with it: quick mode; the
 * head reads `options.pooling`), and score it: the run, and the trained model (the caller frees
 * it).
 */
export async function fineTuneRun(
  method: FineTuneMethod,
  data: SpamData,
  labels: number,
  pretrained: Checkpoint,
  onStep?: (record: TrainingRecord) => void | Promise<void>,
  options: { steps?: number; pooling?: Pooling } = {},
): Promise<
  { run: SpamRun; model: GPTClassifier; predictions: SpamPredictions; result: TrainingResult }
> {
  const examples = budgetEmails(data, labels).map((e) => data.encoded.get(e)!);
  const planned = spamTraining(method, examples.length);
  const settings = options.steps === undefined ? planned : withSteps(planned, options.steps);
  const model = spamClassifier(method, pretrained, options.pooling);
  try {
    const curve = data.encodedTest.filter((_, i) => i % SPAM_CURVE_EVERY === 0);
    const result = await fineTuneSpam(
      model,
      examples,
      settings,
      () => predictSpam(model, curve).loss,
      onStep,
    );
    const predictions = predictSpam(model, data.encodedTest);
    let trainable = 0;
    for (const variable of trainableParameters(model).values()) trainable += variable.size;
    const made = pretrained.header.metadata.made;
    const run: SpamRun = {
      method,
      pooling: model.config.pooling,
      ...(method !== "scratch" && typeof made === "string" ? { pretrained: made } : {}),
      labels: examples.length,
      steps: settings.steps,
      trainable,
      seconds: result.seconds,
      ...scoreSpam(predictions.predicted, data),
    };
    return { run, model, predictions, result };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** The comparison's file, `data/spam_grid.json`: how it was made, and one run per method and budget. */
export interface SpamGrid {
  /** The command that made it. */
  made: string;
  /** The backend it ran on. */
  backend: string;
  /** Training and test emails. */
  trainEmails: number;
  testEmails: number;
  /** The runs. */
  runs: SpamRun[];
}

const GRID_FIELDS = { number: ["trainEmails", "testEmails"], string: ["made", "backend"] };
const RUN_FIELDS = {
  number: ["labels", "steps", "trainable", "seconds", "accuracy", "precision", "recall", "f1"],
  string: ["method"],
};

/** Read a grid file that `deno task grid:spam_classifier` wrote, checking its fields. */
export function readSpamGrid(path: string | URL): Promise<SpamGrid> {
  return readRunsFile<SpamGrid>(
    path,
    "a grid of deno task grid:spam_classifier",
    GRID_FIELDS,
    RUN_FIELDS,
    (run, prefix) => [
      ...(run.method !== "bag-of-words" && run.pooling !== "last" && run.pooling !== "mean"
        ? [`${prefix}pooling ("last" or "mean")`]
        : []),
      ...(run.method !== "bag-of-words" && run.method !== "scratch" &&
          typeof run.pretrained !== "string"
        ? [`${prefix}pretrained (the command that made the pretrained model)`]
        : []),
      ...(!Array.isArray(run.confusion) || run.confusion.length !== 2
        ? [`${prefix}confusion (a 2 × 2 matrix)`]
        : []),
    ],
  );
}
