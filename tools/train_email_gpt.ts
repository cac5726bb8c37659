/**
 * `deno task train:email_gpt`: go on pretraining lesson 13's GPT (`data/sotu_gpt.ckpt`) on the
 * text of the training emails, their labels unread, and save it as `data/email_gpt.ckpt` with the
 * tokenizer and the test emails' loss before and after, in nats per token and bits per byte.
 *
 * `--steps N` trains fewer steps (the schedule is shortened to match); `--out PATH` writes
 * elsewhere.
 *
 * @module
 */
import {
  bitsPerByte,
  checkCheckpointConfig,
  EMAIL_GPT_FINAL_EVAL_BATCHES,
  EMAIL_GPT_SEED,
  EMAIL_GPT_TRAINING,
  emailTokens,
  evaluateLanguageModel,
  GPT,
  type GPTConfig,
  initCourse,
  Random,
  readCheckpoint,
  restoreWeights,
  spamSplit,
  tokenizerFromJSON,
  trainLanguageModel,
} from "../src/mod.ts";
import { logValidation, runSettings, saveRun } from "./training_run.ts";

const { settings, out } = runSettings(EMAIL_GPT_TRAINING, "email_gpt.ckpt");
const runtime = await initCourse({ seed: EMAIL_GPT_SEED });
const speeches = await readCheckpoint(new URL("../data/sotu_gpt.ckpt", import.meta.url));
const tokenizer = tokenizerFromJSON(speeches.header.tokenizer);
const model = new GPT(speeches.header.config as unknown as GPTConfig);
checkCheckpointConfig(speeches, "gpt", model.config);
restoreWeights(model, speeches);
const { train, test } = spamSplit();
const trainText = emailTokens(tokenizer, train);
const valText = emailTokens(tokenizer, test);
const measure = () => {
  const loss = evaluateLanguageModel(
    model,
    valText.tokens,
    EMAIL_GPT_FINAL_EVAL_BATCHES,
    settings.batchSize,
  );
  return { loss, bits: bitsPerByte(loss, valText.tokens.length, valText.bytes) };
};
const before = measure();
console.log(
  `${trainText.tokens.length} training tokens (${trainText.bytes} bytes of ${train.length} ` +
    `emails), ${valText.tokens.length} validation tokens (${test.length} test emails); the ` +
    `speeches' model on them: ${before.loss.toFixed(4)} nats/token = ${
      before.bits.toFixed(3)
    } bits/byte`,
);
console.log(`training ${settings.steps} steps on ${runtime.backend}`);
const result = await trainLanguageModel(
  model,
  trainText.tokens,
  valText.tokens,
  settings,
  new Random(EMAIL_GPT_SEED),
  logValidation,
);
const after = measure();
console.log(
  `final val loss ${after.loss.toFixed(4)} nats/token = ${after.bits.toFixed(3)} bits/byte; ` +
    `${result.seconds.toFixed(0)} s`,
);
await saveRun(out, model, {
  kind: "gpt",
  config: model.config,
  tokenizer: tokenizer.toJSON(),
  made: "deno task train:email_gpt",
  seed: EMAIL_GPT_SEED,
  backend: runtime.backend,
  settings,
  result,
  extra: {
    startedFrom: "deno task train:sotu_gpt",
    startValLoss: before.loss,
    startValBitsPerByte: before.bits,
    valLoss: after.loss,
    valBitsPerByte: after.bits,
    trainTokens: trainText.tokens.length,
    trainBytes: trainText.bytes,
    valTokens: valText.tokens.length,
    valBytes: valText.bytes,
  },
});
model.dispose();
