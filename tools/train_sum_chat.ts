/**
 * `deno task train:sum_chat`: train lesson 11's chat model (a small GPT that answers sums) and save
 * it as `data/sum_chat.ckpt` (weights, config, tokenizer, and the training history in the
 * metadata). Lesson 11 loads it in quick mode.
 *
 * `--steps N` trains fewer steps (the schedule is shortened to match); `--out PATH` writes
 * elsewhere.
 *
 * @module
 */
import {
  ChatTemplate,
  exactReplyAccuracy,
  GPT,
  initCourse,
  Random,
  setSeed,
  SUM_CHAT_SEED,
  SUM_CHAT_TRAINING,
  sumChatCases,
  sumChatConfig,
  sumChatTokenizer,
  sumQuestionSplit,
  trainSumChat,
} from "../src/mod.ts";
import { logValidation, runSettings, saveRun } from "./training_run.ts";

const { settings, out } = runSettings(SUM_CHAT_TRAINING, "sum_chat.ckpt");
const runtime = await initCourse({ seed: SUM_CHAT_SEED });
const tokenizer = sumChatTokenizer();
const template = new ChatTemplate(tokenizer);
const split = sumQuestionSplit();
setSeed(SUM_CHAT_SEED);
const model = new GPT(sumChatConfig(tokenizer.vocabSize));
console.log(
  `training ${
    model.parameterCount().toLocaleString("en-US")
  } parameters for ${settings.steps} steps on ${runtime.backend}`,
);
const result = await trainSumChat(
  model,
  template,
  split,
  settings,
  new Random(SUM_CHAT_SEED),
  logValidation,
);
const cases = sumChatCases(split.test);
const { accuracy } = exactReplyAccuracy(model, template, cases);
console.log(
  `${result.seconds.toFixed(0)} s, ${
    (1000 * result.seconds / settings.steps).toFixed(0)
  } ms/step; ` +
    `held-out accuracy: ${(100 * accuracy).toFixed(1)}%`,
);
await saveRun(out, model, {
  kind: "gpt",
  config: model.config,
  tokenizer: tokenizer.toJSON(),
  made: "deno task train:sum_chat",
  seed: SUM_CHAT_SEED,
  backend: runtime.backend,
  settings,
  result,
  extra: { valLoss: result.finalVal, heldOutAccuracy: accuracy },
});
model.dispose();
