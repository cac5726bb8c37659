/**
 * `deno task train:gpt`: train the character-level GPT of lesson 7 on Moby Dick and save it as
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
  saveCheckpoint,
  setSeed,
  trainLanguageModel,
} from "../src/mod.ts";

const args = Deno.args;
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const steps = Number(option("--steps") ?? MOBY_GPT_TRAINING.steps);
const out = option("--out") ?? new URL("../data/moby_gpt.ckpt", import.meta.url).pathname;

const runtime = await initCourse({ seed: MOBY_GPT_SEED });
const { train, heldOut } = mobyDickSplit();
const tokenizer = CharTokenizer.train(train + heldOut);
const trainTokens = Int32Array.from(tokenizer.encode(train));
const valTokens = Int32Array.from(tokenizer.encode(heldOut));
setSeed(MOBY_GPT_SEED);
const model = new GPT(mobyGPTConfig(tokenizer.vocabSize));
const settings = {
  ...MOBY_GPT_TRAINING,
  steps,
  schedule: { ...MOBY_GPT_TRAINING.schedule, total: steps },
};
console.log(
  `training ${
    model.parameterCount().toLocaleString("en-US")
  } parameters for ${steps} steps on ${runtime.backend}`,
);
const result = await trainLanguageModel(
  model,
  trainTokens,
  valTokens,
  settings,
  new Random(MOBY_GPT_SEED),
  (r) => {
    if (r.val !== undefined) {
      console.log(
        `step ${String(r.step + 1).padStart(5)}  train ${r.train.toFixed(3)}  val ${
          r.val.toFixed(3)
        }  lr ${r.learningRate.toExponential(2)}`,
      );
    }
  },
);
const val = evaluateLanguageModel(
  model,
  valTokens,
  MOBY_GPT_FINAL_EVAL_BATCHES,
  settings.batchSize,
);
const trainLoss = evaluateLanguageModel(
  model,
  trainTokens,
  MOBY_GPT_FINAL_EVAL_BATCHES,
  settings.batchSize,
);
const msPerStep = (1000 * result.seconds) / steps;
console.log(
  `final val loss: ${val.toFixed(4)} (train ${trainLoss.toFixed(4)}); ${
    result.seconds.toFixed(0)
  } s, ${msPerStep.toFixed(0)} ms/step`,
);
await saveCheckpoint(out, model, {
  kind: "gpt",
  config: model.config,
  tokenizer: tokenizer.toJSON(),
  metadata: {
    made: "deno task train:gpt",
    steps,
    seed: MOBY_GPT_SEED,
    valLoss: val,
    trainLoss,
    seconds: result.seconds,
    msPerStep,
    backend: runtime.backend,
    // The loss curve, for lesson 7 to draw without training: every 10th step, and every eval.
    history: result.history.filter((r) => r.step % 10 === 0 || r.val !== undefined),
  },
});
console.log(`saved ${out}`);
model.dispose();
