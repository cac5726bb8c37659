/**
 * `deno task train:sotu_gpt`: learn lesson 13's byte-level BPE from the training addresses of the
 * State of the Union, pretrain its GPT on them, and save it as `data/sotu_gpt.ckpt` with the
 * tokenizer, the tokenizer's training time, and the validation loss in nats per token and in
 * bits per byte.
 *
 * `--steps N` trains fewer steps (the schedule is shortened to match); `--out PATH` writes
 * elsewhere.
 *
 * @module
 */
import {
  bitsPerByte,
  evaluateLanguageModel,
  GPT,
  initCourse,
  Random,
  setSeed,
  SOTU_GPT_FINAL_EVAL_BATCHES,
  SOTU_GPT_SEED,
  SOTU_GPT_TRAINING,
  SOTU_VOCAB_SIZE,
  sotuGPTConfig,
  sotuTokens,
  trainLanguageModel,
  trainSotuTokenizer,
} from "../src/mod.ts";
import { logValidation, runSettings, saveRun } from "./training_run.ts";

const { settings, out } = runSettings(SOTU_GPT_TRAINING, "sotu_gpt.ckpt");
const runtime = await initCourse({ seed: SOTU_GPT_SEED });
let started = performance.now();
const tokenizer = trainSotuTokenizer(SOTU_VOCAB_SIZE);
const tokenizerSeconds = (performance.now() - started) / 1000;
started = performance.now();
const { train, val } = sotuTokens(tokenizer);
const encodeSeconds = (performance.now() - started) / 1000;
console.log(
  `BPE of ${tokenizer.vocabSize} tokens learned in ${tokenizerSeconds.toFixed(1)} s; ` +
    `${train.tokens.length} training tokens (${train.bytes} bytes), ${val.tokens.length} ` +
    `validation tokens (${val.bytes} bytes), encoded in ${encodeSeconds.toFixed(1)} s`,
);
setSeed(SOTU_GPT_SEED);
const model = new GPT(sotuGPTConfig(tokenizer.vocabSize));
console.log(
  `training ${model.parameterCount()} parameters for ${settings.steps} steps on ${runtime.backend}`,
);
const result = await trainLanguageModel(
  model,
  train.tokens,
  val.tokens,
  settings,
  new Random(SOTU_GPT_SEED),
  logValidation,
);
const valLoss = evaluateLanguageModel(
  model,
  val.tokens,
  SOTU_GPT_FINAL_EVAL_BATCHES,
  settings.batchSize,
);
const valBitsPerByte = bitsPerByte(valLoss, val.tokens.length, val.bytes);
console.log(
  `final val loss ${valLoss.toFixed(4)} nats/token = ${valBitsPerByte.toFixed(3)} bits/byte; ` +
    `${result.seconds.toFixed(0)} s`,
);
await saveRun(out, model, {
  kind: "gpt",
  config: model.config,
  tokenizer: tokenizer.toJSON(),
  made: "deno task train:sotu_gpt",
  seed: SOTU_GPT_SEED,
  backend: runtime.backend,
  settings,
  result,
  extra: {
    valLoss,
    valBitsPerByte,
    tokenizerSeconds,
    trainTokens: train.tokens.length,
    trainBytes: train.bytes,
    valTokens: val.tokens.length,
    valBytes: val.bytes,
  },
});
model.dispose();
