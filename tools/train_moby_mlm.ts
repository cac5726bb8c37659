/**
 * `deno task train:moby_mlm`: train lesson 10's encoder-only model by masked-language modelling on
 * *Moby Dick* and save it as `data/moby_mlm.ckpt` (weights, config, WordPiece tokenizer, and the
 * training history in the metadata). Lesson 10 loads it in quick mode.
 *
 * `--steps N` trains fewer steps (the schedule is shortened to match); `--out PATH` writes
 * elsewhere.
 *
 * @module
 */
import {
  disposeMlmBatch,
  EncoderOnly,
  initCourse,
  MLM_SEED,
  MLM_TRAINING,
  mlmAccuracy,
  mlmConfig,
  mlmData,
  mlmEvalBatches,
  Random,
  setSeed,
  trainMlm,
} from "../src/mod.ts";
import { logValidation, runSettings, saveRun } from "./training_run.ts";

const { settings, out } = runSettings(MLM_TRAINING, "moby_mlm.ckpt");
const runtime = await initCourse({ seed: MLM_SEED });
const data = mlmData();
setSeed(MLM_SEED);
const model = new EncoderOnly(mlmConfig(data));
console.log(
  `training ${model.parameterCount().toLocaleString("en-US")} parameters for ${settings.steps} ` +
    `steps on ${runtime.backend} (${data.train.length} training sequences, ${data.heldOut.length} held out)`,
);
const result = await trainMlm(model, data, settings, new Random(MLM_SEED), logValidation);
const heldOut = mlmEvalBatches(data, data.heldOut);
const { accuracy } = mlmAccuracy(model, heldOut);
heldOut.forEach(disposeMlmBatch);
console.log(
  `${result.seconds.toFixed(0)} s, ${
    (1000 * result.seconds / settings.steps).toFixed(0)
  } ms/step; ` +
    `held-out masked-token top-1 accuracy: ${(100 * accuracy).toFixed(1)}%`,
);
await saveRun(out, model, {
  kind: "encoder-only",
  config: model.config,
  tokenizer: data.tokenizer.toJSON(),
  made: "deno task train:moby_mlm",
  seed: MLM_SEED,
  backend: runtime.backend,
  settings,
  result,
  extra: { valLoss: result.finalVal, heldOutAccuracy: accuracy },
});
model.dispose();
