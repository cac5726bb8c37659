import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertThrows } from "../assert.ts";
import {
  GPT,
  type GPTConfig,
  initCourse,
  Random,
  sampleBatch,
  setSeed,
  taskLoss,
  type TrainingSettings,
  trainLanguageModel,
  TransformerBlock,
} from "../../src/mod.ts";
import { gradCheck } from "../gradcheck.ts";
import { random, TINY } from "../fixtures.ts";

await initCourse();

const DROPPY: GPTConfig = { ...TINY, dropout: 0.3 };

/** A batch of the tiny models' ids, `(4, 16)`. */
function batch(seed: number) {
  const r = new Random(seed);
  const ids = Int32Array.from({ length: 400 }, () => r.int(TINY.vocabSize));
  return sampleBatch(ids, 4, TINY.contextLength, r);
}

/** Two models with the same weights: built after the same seed (dropout draws nothing then). */
function twins(a: GPTConfig, b: GPTConfig): [GPT, GPT] {
  setSeed(21);
  const first = new GPT(a);
  setSeed(21);
  return [first, new GPT(b)];
}

Deno.test("GPT dropout: the config checks its rate and fills in 0", () => {
  const model = new GPT(TINY);
  assertEquals(model.config.dropout, 0);
  model.dispose();
  assertThrows(() => new GPT({ ...TINY, dropout: 1 }), /GPT config: dropout must be in \[0, 1\)/);
  assertThrows(() => new GPT({ ...TINY, dropout: -0.5 }), /dropout must be in \[0, 1\), got -0.5/);
});

Deno.test("GPT dropout 0 in training equals the model without dropout, bit for bit", () => {
  const [plain, zero] = twins(TINY, { ...TINY, dropout: 0 });
  const b = batch(1);
  const [p, z] = tf.tidy(() => [
    Array.from(plain.forward(b.x).dataSync()),
    Array.from(zero.forward(b.x, { training: true }).dataSync()),
  ]);
  assertEquals(z, p);
  tf.dispose([b.x, b.y]);
  plain.dispose();
  zero.dispose();
});

Deno.test("GPT dropout: evaluation is deterministic and equals the model without dropout", () => {
  const [plain, droppy] = twins(TINY, DROPPY);
  const b = batch(2);
  const before = tf.memory().numTensors;
  const outputs = tf.tidy(() => ({
    plain: Array.from(plain.forward(b.x).dataSync()),
    eval1: Array.from(droppy.forward(b.x).dataSync()),
    eval2: Array.from(droppy.forward(b.x, { training: false }).dataSync()),
    lossPlain: plain.loss(b.x, b.y).dataSync()[0],
    lossEval: droppy.loss(b.x, b.y).dataSync()[0],
    train1: Array.from(droppy.forward(b.x, { training: true }).dataSync()),
    train2: Array.from(droppy.forward(b.x, { training: true }).dataSync()),
    lossTrain: droppy.loss(b.x, b.y, { training: true }).dataSync()[0],
  }));
  assertEquals(tf.memory().numTensors, before);
  assertEquals(outputs.eval1, outputs.plain);
  assertEquals(outputs.eval2, outputs.plain);
  assertEquals(outputs.lossEval, outputs.lossPlain);
  assert(outputs.train1.some((v, i) => v !== outputs.plain[i]), "training mode must drop");
  assert(outputs.train1.some((v, i) => v !== outputs.train2[i]), "each pass draws a new mask");
  assert(outputs.lossTrain !== outputs.lossEval, "the training loss drops too");
  // The same seed, the same masks: a training pass repeats.
  const again = () => {
    setSeed(8);
    return tf.tidy(() => Array.from(droppy.forward(b.x, { training: true }).dataSync()));
  };
  assertEquals(again(), again());
  tf.dispose([b.x, b.y]);
  plain.dispose();
  droppy.dispose();
});

Deno.test("GPT dropout: the training step's loss (taskLoss) drops; the registry says so", () => {
  const [plain, droppy] = twins(TINY, DROPPY);
  const b = batch(3);
  const losses = tf.tidy(() => ({
    plainTask: taskLoss({ kind: "gpt", config: plain.config }, plain, { ...b }).dataSync()[0],
    plainEval: plain.loss(b.x, b.y).dataSync()[0],
    droppyTask: taskLoss({ kind: "gpt", config: droppy.config }, droppy, { ...b }).dataSync()[0],
    droppyEval: droppy.loss(b.x, b.y).dataSync()[0],
  }));
  assertEquals(losses.plainTask, losses.plainEval);
  assertEquals(losses.droppyEval, losses.plainEval);
  assert(losses.droppyTask !== losses.droppyEval, "a training step's loss must drop out");
  tf.dispose([b.x, b.y]);
  plain.dispose();
  droppy.dispose();
});

Deno.test("GPT dropout: the gradient through a fixed mask matches finite differences", () => {
  const [model] = twins(DROPPY, DROPPY);
  const b = batch(4);
  const table = model.positions.embedding.table; // a variable: (context, C)
  const before = tf.memory().numTensors;
  const lossAt = () => {
    setSeed(31); // the same masks at every evaluation
    return model.loss(b.x, b.y, { training: true });
  };
  const analytic = tf.tidy(() => {
    const { grads } = tf.variableGrads(lossAt, [table]);
    return Array.from(grads[table.name].dataSync());
  });
  const original = table.dataSync().slice();
  const h = 1e-2;
  let worst = 0; // the largest |analytic − numeric|, relative to the largest gradient checked
  let largest = 0;
  for (let k = 0; k < 12; k++) {
    const i = (k * 37) % original.length; // 12 entries spread over the table
    const lossWith = (delta: number) => {
      const shifted = original.slice();
      shifted[i] += delta;
      tf.tidy(() => table.assign(tf.tensor(shifted, table.shape)));
      return tf.tidy(() => lossAt().dataSync()[0]);
    };
    const numeric = (lossWith(h) - lossWith(-h)) / (2 * h);
    worst = Math.max(worst, Math.abs(analytic[i] - numeric));
    largest = Math.max(largest, Math.abs(analytic[i]));
  }
  tf.tidy(() => table.assign(tf.tensor(original, table.shape)));
  assertEquals(tf.memory().numTensors, before);
  assert(largest > 1e-2 && worst < 1e-2 * largest, `worst error ${worst}, largest ${largest}`);
  tf.dispose([b.x, b.y]);
  model.dispose();
});

Deno.test("a block's dropout: gradient by finite differences, and no drop outside training", () => {
  setSeed(40);
  const block = new TransformerBlock({ dModel: 8, numHeads: 2, dropout: 0.5 });
  tf.tidy(() => {
    const x = random([2, 3, 8]) as tf.Tensor3D;
    const r = random([2, 3, 8]);
    const f = (t: tf.Tensor) => {
      setSeed(41);
      return block.apply(t as tf.Tensor3D, {}, { training: true }).output.mul(r).sum() as tf.Scalar;
    };
    const { worst, checked } = gradCheck(f, x);
    assert(worst < 2e-2, `worst relative error ${worst} over ${checked} entries`);
    const evaluated = block.apply(x).output.dataSync();
    const again = block.apply(x, {}, { training: false }).output.dataSync();
    assertEquals(Array.from(again), Array.from(evaluated));
    const trained = block.apply(x, {}, { training: true }).output.dataSync();
    assert(trained.some((v, i) => v !== evaluated[i]), "training mode must drop");
  });
  block.dispose();
});

Deno.test("training with dropout 0 takes the same steps as without, bit for bit; memory flat", async () => {
  const r = new Random(50);
  const tokens = Int32Array.from({ length: 600 }, () => r.int(TINY.vocabSize));
  const settings: TrainingSettings = {
    steps: 6,
    batchSize: 4,
    schedule: { max: 1e-2, min: 1e-3, warmup: 2, total: 6 },
    clipNorm: 1,
    optimizer: { beta1: 0.9, beta2: 0.99, weightDecay: 0.1 },
    evalEvery: 3,
    evalBatches: 2,
  };
  const weightsAfter = async (config: GPTConfig) => {
    setSeed(51);
    const model = new GPT(config);
    const before = tf.memory().numTensors;
    const result = await trainLanguageModel(
      model,
      tokens.subarray(0, 500),
      tokens.subarray(500),
      settings,
      new Random(52),
    );
    assertEquals(tf.memory().numTensors, before, "training leaves no tensors behind");
    const weights = [...model.parameters().values()].map((v) => Array.from(v.dataSync()));
    model.dispose();
    return { weights, history: result.history };
  };
  const plain = await weightsAfter(TINY);
  const zero = await weightsAfter({ ...TINY, dropout: 0 });
  const droppy = await weightsAfter(DROPPY);
  assertEquals(zero.weights, plain.weights);
  assertEquals(zero.history, plain.history);
  assert(
    droppy.history.some((record, i) => record.train !== plain.history[i].train),
    "dropout 0.3 must change the training losses",
  );
});
