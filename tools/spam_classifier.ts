/**
 * Lesson 13's fine-tuning runs (`src/recipes/spam_classifier.ts`), from the GPT pretrained on the
 * speeches and then on the training emails' text, `data/email_gpt.ckpt`:
 *
 * - `deno task train:spam_classifier` fine-tunes the lesson's best method on every training email
 *   and saves `data/spam_classifier.ckpt` (the lesson loads it in quick mode);
 * - `deno task grid:spam_classifier` runs every method (the bag-of-words baseline and the four
 *   ways to train the transformer) at every label budget, and full fine-tuning of the GPT
 *   pretrained on the speeches alone (`data/sotu_gpt.ckpt`) and of a head on the last token's
 *   state, writes `data/spam_grid.json`, and saves the best method's run on every email as
 *   `data/spam_classifier.ckpt` too.
 *
 * `--steps N` trains every run N steps (the schedule shortened to match: a quick check of the
 * task); `--out PATH` writes the grid elsewhere; `--checkpoint PATH` the classifier.
 *
 * @module
 */
import {
  baselineRun,
  type Checkpoint,
  FINE_TUNE_METHODS,
  fineTuneRun,
  initCourse,
  type Pooling,
  readCheckpoint,
  saveCheckpoint,
  SPAM_BEST_METHOD,
  SPAM_LABEL_BUDGETS,
  SPAM_POOLING,
  spamData,
  type SpamGrid,
  type SpamRun,
  tokenizerFromJSON,
  type TrainingRecord,
} from "../src/mod.ts";
import { option } from "./training_run.ts";

const data = (file: string) => new URL(`../data/${file}`, import.meta.url).pathname;
const grid = Deno.args.includes("--grid");
const gridOut = option("--out") ?? data("spam_grid.json");
const checkpointOut = option("--checkpoint") ?? data("spam_classifier.ckpt");
const steps = option("--steps") === undefined ? undefined : Number(option("--steps"));

const runtime = await initCourse();
const pretrained = await readCheckpoint(data("email_gpt.ckpt"));
const speeches = grid ? await readCheckpoint(data("sotu_gpt.ckpt")) : undefined;
const tokenizer = tokenizerFromJSON(pretrained.header.tokenizer);
const emails = spamData(tokenizer);
console.log(`${emails.train.length} training emails, ${emails.test.length} test emails`);

const describe = (run: SpamRun) =>
  `${run.method.padEnd(12)} ${String(run.labels).padStart(5)} labels: accuracy ${
    (100 * run.accuracy).toFixed(1)
  } %, F1 ${run.f1.toFixed(3)}, ${run.trainable} trained, ${run.seconds.toFixed(0)} s`;
const logMeasurement = (r: TrainingRecord) => {
  if (r.val !== undefined) {
    console.log(
      `  step ${r.step + 1}: train ${r.train.toFixed(4)}, test sample ${r.val.toFixed(4)}`,
    );
  }
};

const runs: SpamRun[] = [];
/** A grid row beside the methods: full fine-tuning from `start`, its head reading `pooling`. */
async function extraFullRun(labels: number, start: Checkpoint, pooling: Pooling, note: string) {
  const { run, model } = await fineTuneRun("full", emails, labels, start, logMeasurement, {
    steps,
    pooling,
  });
  runs.push(run);
  console.log(`${describe(run)} (${note})`);
  model.dispose();
}
const budgets = grid ? SPAM_LABEL_BUDGETS : [Infinity];
for (const labels of budgets) {
  if (grid) {
    runs.push(baselineRun(emails, labels));
    console.log(describe(runs.at(-1)!));
  }
  const methods = grid ? FINE_TUNE_METHODS.map((m) => m.method) : [SPAM_BEST_METHOD];
  for (const method of methods) {
    const { run, model, predictions, result } = await fineTuneRun(
      method,
      emails,
      labels,
      pretrained,
      logMeasurement,
      { steps },
    );
    runs.push(run);
    console.log(describe(run));
    if (method === SPAM_BEST_METHOD && labels === Infinity) {
      await saveCheckpoint(checkpointOut, model, {
        kind: "gpt-classifier",
        config: model.config,
        tokenizer: tokenizer.toJSON(),
        metadata: {
          made: grid ? "deno task grid:spam_classifier" : "deno task train:spam_classifier",
          backend: runtime.backend,
          run,
          history: result.history.filter((r) => r.step % 5 === 0 || r.val !== undefined),
          testSpamProbability: predictions.spamProbability,
        },
      });
      console.log(`saved ${checkpointOut}`);
    }
    model.dispose();
  }
  if (speeches !== undefined) {
    // Full fine-tuning from the model that never read an email, for the comparison of section 9.
    await extraFullRun(labels, speeches, SPAM_POOLING, "pretrained on the speeches alone");
  }
  if (grid && labels < Infinity) {
    // The head on the last token instead of the mean, for the comparison of section 4.
    await extraFullRun(labels, pretrained, "last", "last token");
  }
}
if (grid) {
  const results: SpamGrid = {
    made: "deno task grid:spam_classifier",
    backend: runtime.backend,
    trainEmails: emails.train.length,
    testEmails: emails.test.length,
    runs,
  };
  await Deno.writeTextFile(gridOut, JSON.stringify(results, null, 2) + "\n");
  console.log(`wrote ${gridOut}`);
}
