/**
 * `deno task train:moby_gpt`: train the character-level GPT of lesson 7 on Moby Dick and save it as
 * `data/moby_gpt.ckpt` (weights, config, tokenizer, and the training history in the metadata).
 * This is the command that remakes the shipped checkpoint; lesson 7 loads it in quick mode.
 *
 * `--steps N` trains fewer steps (the schedule is shortened to match); `--out PATH` writes
 * elsewhere.
 *
 * @module
 */
import {
  CharTokenizer,
  evaluateLanguageModel,
  GPT,
  initCourse,
  MOBY_GPT_FINAL_EVAL_BATCHES,
  MOBY_GPT_SEED,
  MOBY_GPT_TRAINING,
  mobyDickSplit,
  mobyGPTConfig,
  Random,
  setSeed,
  trainLanguageModel,
} from "../src/mod.ts";
import { logValidation, runSettings, saveRun } from "./training_run.ts";

const { settings, out } = runSettings(MOBY_GPT_TRAINING, "moby_gpt.ckpt");
const runtime = await initCourse({ seed: MOBY_GPT_SEED });
const { train, heldOut } = mobyDickSplit();
const tokenizer = CharTokenizer.train(train + heldOut);
const trainTokens = Int32Array.from(tokenizer.encode(train));
const valTokens = Int32Array.from(tokenizer.encode(heldOut));
setSeed(MOBY_GPT_SEED);
const model = new GPT(mobyGPTConfig(tokenizer.vocabSize));
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
  new Random(MOBY_GPT_SEED),
  logValidation,
);
const measure = (tokens: Int32Array) =>
  evaluateLanguageModel(model, tokens, MOBY_GPT_FINAL_EVAL_BATCHES, settings.batchSize);
const [valLoss, trainLoss] = [measure(valTokens), measure(trainTokens)];
console.log(
  `final val loss: ${valLoss.toFixed(4)} (train ${trainLoss.toFixed(4)}); ${
    result.seconds.toFixed(0)
  } s, ${(1000 * result.seconds / settings.steps).toFixed(0)} ms/step`,
);
await saveRun(out, model, {
  kind: "gpt",
  config: model.config,
  tokenizer: tokenizer.toJSON(),
  made: "deno task train:moby_gpt",
  seed: MOBY_GPT_SEED,
  backend: runtime.backend,
  result,
  extra: { valLoss, trainLoss },
});
model.dispose();
