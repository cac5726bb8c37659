/**
 * Training a character-level GPT on *Moby Dick* as lesson 7 does, for the tasks that make
 * lesson 7's and lesson 12's checkpoints and lesson 12's ablation: the same split, tokenizer,
 * batches, schedule and final measurement (200 batches of validation and of training text).
 *
 * @module
 */
import { logValidation, saveRun } from "./training_run.ts";
import {
  CharTokenizer,
  evaluateLanguageModel,
  GPT,
  type GPTConfig,
  initCourse,
  MOBY_GPT_FINAL_EVAL_BATCHES,
  mobyDickSplit,
  Random,
  setSeed,
  type TrainingRecord,
  type TrainingResult,
  type TrainingSettings,
  trainLanguageModel,
} from "../src/mod.ts";

/** A trained model with its run's figures. */
export interface MobyDickRun {
  model: GPT;
  tokenizer: CharTokenizer;
  result: TrainingResult;
  /** Final validation and training loss, 200 batches each. */
  valLoss: number;
  trainLoss: number;
  /** The backend it trained on. */
  backend: string;
}

/**
 * Train a GPT of `config(vocabSize)` from `seed` with `settings` on the book's training part;
 * `onRecord` sees every step.
 */
export async function trainMobyDickGPT(
  config: (vocabSize: number) => GPTConfig,
  seed: number,
  settings: TrainingSettings,
  onRecord?: (r: TrainingRecord) => void,
): Promise<MobyDickRun> {
  const runtime = await initCourse({ seed });
  const { train, heldOut } = mobyDickSplit();
  const tokenizer = CharTokenizer.train(train + heldOut);
  const trainTokens = Int32Array.from(tokenizer.encode(train));
  const valTokens = Int32Array.from(tokenizer.encode(heldOut));
  setSeed(seed);
  const model = new GPT(config(tokenizer.vocabSize));
  console.log(
    `training ${
      model.parameterCount().toLocaleString("en-US")
    } parameters for ${settings.steps} steps on ${runtime.backend}`,
  );
  const result = await trainLanguageModel(
    model,
    trainTokens,
    valTokens,
    settings,
    new Random(seed),
    onRecord,
  );
  const measure = (tokens: Int32Array) =>
    evaluateLanguageModel(model, tokens, MOBY_GPT_FINAL_EVAL_BATCHES, settings.batchSize);
  const [valLoss, trainLoss] = [measure(valTokens), measure(trainTokens)];
  console.log(
    `final val loss: ${valLoss.toFixed(4)} (train ${trainLoss.toFixed(4)}); ${
      result.seconds.toFixed(0)
    } s, ${(1000 * result.seconds / settings.steps).toFixed(0)} ms/step`,
  );
  return { model, tokenizer, result, valLoss, trainLoss, backend: runtime.backend };
}

/**
 * Train as {@link trainMobyDickGPT} does, printing each validation, and save the model to `out`
 * with its run (the checkpoint of a `deno task train:*`, whose command is `made`).
 */
export async function trainAndSave(
  config: (vocabSize: number) => GPTConfig,
  seed: number,
  settings: TrainingSettings,
  out: string,
  made: string,
): Promise<void> {
  const run = await trainMobyDickGPT(config, seed, settings, logValidation);
  await saveRun(out, run.model, {
    kind: "gpt",
    config: run.model.config,
    tokenizer: run.tokenizer.toJSON(),
    made,
    seed,
    backend: run.backend,
    settings,
    result: run.result,
    extra: { valLoss: run.valLoss, trainLoss: run.trainLoss },
  });
  run.model.dispose();
}
