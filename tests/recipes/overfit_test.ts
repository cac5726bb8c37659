import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "../assert.ts";
import {
  CharTokenizer,
  evaluateLanguageModel,
  GPT,
  initCourse,
  mobyDickSplit,
  setSeed,
  withSteps,
} from "../../src/mod.ts";
import {
  OVERFIT_DROPOUT,
  OVERFIT_MORE_DATA,
  OVERFIT_SEED,
  OVERFIT_SLICE,
  OVERFIT_TRAINING,
  overfitGPTConfig,
  trainOverfitRun,
} from "../../src/recipes/moby_gpt.ts";
import { trainValidationGap } from "../../src/training/train_loop.ts";

await initCourse();

const { train, heldOut } = mobyDickSplit();
const tokenizer = CharTokenizer.train(train + heldOut);
const small = Int32Array.from(tokenizer.encode(train.slice(0, OVERFIT_SLICE)));
const val = Int32Array.from(tokenizer.encode(heldOut.slice(0, 20_000)));

Deno.test("the overfitting experiment's settings: a small model, a small slice, no decay", () => {
  const config = overfitGPTConfig(tokenizer.vocabSize, OVERFIT_DROPOUT);
  assertEquals([config.numLayers, config.numHeads, config.dModel, config.contextLength], [
    2,
    4,
    64,
    32,
  ]);
  assertEquals(config.dropout, OVERFIT_DROPOUT);
  assertEquals(overfitGPTConfig(tokenizer.vocabSize).dropout, 0);
  assertEquals(OVERFIT_MORE_DATA, 10 * OVERFIT_SLICE);
  const { schedule } = OVERFIT_TRAINING;
  assertEquals([schedule.max, schedule.min, schedule.total], [5e-3, 5e-3, OVERFIT_TRAINING.steps]);
});

Deno.test("the dropout run starts from the same initial weights as the run without dropout", () => {
  // as trainOverfitRun builds its model: the seed, then a fresh GPT
  const fresh = (dropout: number) => {
    setSeed(OVERFIT_SEED);
    return new GPT(overfitGPTConfig(tokenizer.vocabSize, dropout));
  };
  const [plain, dropped] = [fresh(0), fresh(OVERFIT_DROPOUT)];
  const droppedParams = dropped.parameters();
  assertEquals([...droppedParams.keys()], [...plain.parameters().keys()]);
  for (const [name, p] of plain.parameters()) {
    assertEquals(droppedParams.get(name)!.dataSync(), p.dataSync(), name);
  }
  plain.dispose();
  dropped.dispose();
});

Deno.test("trainOverfitRun: a seeded run repeats, measures the gap like trainValidationGap, frees its model", async () => {
  const settings = { ...withSteps(OVERFIT_TRAINING, 10), evalEvery: 5, evalBatches: 2 };
  const config = overfitGPTConfig(tokenizer.vocabSize, 0.2);
  const before = tf.memory().numTensors;
  const first = await trainOverfitRun(config, small, val, settings, OVERFIT_SEED);
  const second = await trainOverfitRun(config, small, val, settings, OVERFIT_SEED);
  assertEquals(tf.memory().numTensors, before, "the model and its batches are freed");
  assertEquals(second.result.history, first.result.history);
  assertEquals(second.losses, first.losses);
  assertEquals(first.result.history.filter((r) => r.val !== undefined).length, 2);
  const { train, val: v, gap } = first.losses;
  assert(train > 0 && v > 0 && gap === v - train, JSON.stringify(first.losses));
});

Deno.test("trainValidationGap: the same fixed batches of each text, in evaluation mode", () => {
  setSeed(3);
  const model = new GPT(overfitGPTConfig(tokenizer.vocabSize, 0.5));
  const before = tf.memory().numTensors;
  const losses = trainValidationGap(model, small, val, 3, 4);
  assertEquals(tf.memory().numTensors, before);
  assertEquals(losses.train, evaluateLanguageModel(model, small, 3, 4));
  assertEquals(losses.val, evaluateLanguageModel(model, val, 3, 4));
  assertEquals(losses.gap, losses.val - losses.train);
  assertEquals(trainValidationGap(model, small, val, 3, 4), losses); // no dropout: it repeats
  model.dispose();
});
