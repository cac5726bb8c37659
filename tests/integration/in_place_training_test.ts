/**
 * Training writes weights in place (AdamW, and the data-parallel broadcast to worker replicas).
 * Nothing derived from the old weights may survive it: the wasm backend caches, per weight
 * matrix, a packed copy for products of a few rows (XNNPACK), which once made every few-row
 * inference after training use the weights from before it. For each model of the course, after
 * in-place training on one thread and on two: one row equals the same row in a batch of 16 (the
 * course's own kernel, which reads the weights as they are) and equals a fresh model restored
 * from the saved weights; generation and decoding equal the restored copy's, token for token.
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";
import {
  beamSearch,
  EncoderDecoder,
  type EncoderDecoderConfig,
  EncoderOnly,
  type EncoderOnlyConfig,
  generate,
  GPT,
  type GPTConfig,
  greedyDecode,
  IGNORE_TARGET,
  initCourse,
  type ModelKind,
  type ModelOf,
  type Module,
  readCheckpoint,
  restoreWeights,
  saveCheckpoint,
  setSeed,
  type TensorBatch,
  type TrainingTask,
  trainLoop,
} from "../../src/mod.ts";

await initCourse();

const GPT_CONFIG: GPTConfig = {
  vocabSize: 13,
  contextLength: 8,
  dModel: 16,
  numHeads: 2,
  numLayers: 2,
};
const SEQ2SEQ_CONFIG: EncoderDecoderConfig = {
  sourceVocabSize: 12,
  targetVocabSize: 10,
  maxLength: 8,
  dModel: 16,
  numHeads: 2,
  encoderLayers: 1,
  decoderLayers: 1,
};
const ENCODER_CONFIG: EncoderOnlyConfig = {
  vocabSize: 13,
  maxLength: 8,
  dModel: 16,
  numHeads: 2,
  numLayers: 2,
};
const DECODE = { startId: 1, endId: 2, maxLength: 6 };

/** Int32 `(rows, cols)` ids from a rule, so every batch differs but the test repeats. */
function ids(rows: number, cols: number, vocab: number, salt: number, low = 0): tf.Tensor2D {
  const values = Array.from(
    { length: rows },
    (_, r) =>
      Array.from({ length: cols }, (_, c) => low + ((r * 5 + c * 3 + salt) % (vocab - low))),
  );
  return tf.tensor2d(values, undefined, "int32");
}

/** `row` (one example) repeated `times` times along the batch axis. */
function tiled(row: tf.Tensor2D, times: number): tf.Tensor2D {
  return tf.tile(row, [times, 1]);
}

/** Largest |a − b| of two tensors of the same shape. */
function gap(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => a.sub(b).abs().max().dataSync()[0]);
}

/** A fresh model restored from `model`'s weights through a saved checkpoint. */
async function restoredCopy<M extends Module>(model: M, build: () => M): Promise<M> {
  const dir = await Deno.makeTempDir({ prefix: "in-place-" });
  try {
    const path = join(dir, "model.ckpt");
    await saveCheckpoint(path, model, { kind: "test", config: {} });
    const copy = build();
    restoreWeights(copy, await readCheckpoint(path));
    return copy;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Train `model` for a few steps in place through `trainLoop`: on this thread, or with
 * `shards: 2` on two (gradients on a worker replica, new weights broadcast to it every step).
 */
async function trainInPlace<K extends ModelKind>(
  task: TrainingTask<K>,
  model: ModelOf<K>,
  batch: () => TensorBatch,
  shards: number,
): Promise<void> {
  const settings = {
    steps: 8,
    schedule: { max: 3e-2, min: 3e-3, warmup: 2, total: 8 },
    clipNorm: 1,
    optimizer: {},
    evalEvery: 8,
    shards,
  };
  await trainLoop(task, model, settings, batch, () => 0);
}

/** Train a GPT in place on batches of two rows of 8 positions (each shard under 16 rows too). */
function trainGPT(model: GPT, shards: number): Promise<void> {
  let salt = 0;
  return trainInPlace(
    { kind: "gpt", config: GPT_CONFIG },
    model,
    () => ({ x: ids(2, 8, 13, salt++), y: ids(2, 8, 13, salt + 7) }),
    shards,
  );
}

for (const shards of [1, 2]) {
  Deno.test(`GPT after in-place training on ${shards} thread(s): one row, 16 rows and a restored copy agree`, async () => {
    setSeed(3);
    const model = new GPT(GPT_CONFIG);
    const row = ids(1, 8, 13, 1);
    // A few-row product before training: where a stale packed copy of the weights would come from.
    tf.tidy(() => model.forward(row));
    const prompt = [1, 2, 3];
    generate(model, prompt, { maxNewTokens: 4, temperature: 0 });
    const before = tf.memory().numTensors;
    await trainGPT(model, shards);
    assertEquals(tf.memory().numTensors, before, "training leaves no tensors behind");
    const copy = await restoredCopy(model, () => new GPT(GPT_CONFIG));
    try {
      const [alone, inBatch, restored] = tf.tidy(() => [
        model.forward(row),
        model.forward(tiled(row, 16)).slice([0, 0, 0], [1, -1, -1]),
        copy.forward(row),
      ]);
      assert(gap(alone, inBatch) < 1e-4, `one row vs 16 rows: ${gap(alone, inBatch)}`);
      assert(gap(alone, restored) < 1e-4, `one row vs the restored copy: ${gap(alone, restored)}`);
      tf.dispose([alone, inBatch, restored]);
      for (const cache of [true, false]) {
        const options = { maxNewTokens: 12, temperature: 0, cache };
        assertEquals(
          generate(model, prompt, options),
          generate(copy, prompt, options),
          `greedy generation (cache ${cache}) equals the restored copy's`,
        );
      }
    } finally {
      row.dispose();
      model.dispose();
      copy.dispose();
    }
  });

  Deno.test(`encoder-decoder after in-place training on ${shards} thread(s): one row, 16 rows and a restored copy agree`, async () => {
    setSeed(4);
    const model = new EncoderDecoder(SEQ2SEQ_CONFIG);
    const source = ids(1, 6, 12, 2, 3);
    const targetIn = ids(1, 5, 10, 4, 3);
    const sources = [[3, 4, 5, 6], [7, 8, 9]];
    greedyDecode(model, sources, DECODE); // few-row products before training
    const before = tf.memory().numTensors;
    let salt = 0;
    await trainInPlace(
      { kind: "encoder-decoder", config: SEQ2SEQ_CONFIG },
      model,
      () => ({
        source: ids(2, 6, 12, salt++, 3),
        targetIn: ids(2, 5, 10, salt, 3),
        targetOut: ids(2, 5, 10, salt + 1, 3),
      }),
      shards,
    );
    assertEquals(tf.memory().numTensors, before, "training leaves no tensors behind");
    const copy = await restoredCopy(model, () => new EncoderDecoder(SEQ2SEQ_CONFIG));
    try {
      const [alone, inBatch, restored] = tf.tidy(() => [
        model.forward(source, targetIn),
        model.forward(tiled(source, 16), tiled(targetIn, 16)).slice([0, 0, 0], [1, -1, -1]),
        copy.forward(source, targetIn),
      ]);
      assert(gap(alone, inBatch) < 1e-4, `one row vs 16 rows: ${gap(alone, inBatch)}`);
      assert(gap(alone, restored) < 1e-4, `one row vs the restored copy: ${gap(alone, restored)}`);
      tf.dispose([alone, inBatch, restored]);
      assertEquals(greedyDecode(model, sources, DECODE), greedyDecode(copy, sources, DECODE));
      const beam = { ...DECODE, beamWidth: 3 };
      assertEquals(beamSearch(model, sources[0], beam), beamSearch(copy, sources[0], beam));
    } finally {
      tf.dispose([source, targetIn]);
      model.dispose();
      copy.dispose();
    }
  });
}

/** Masked-language-model targets `(2, 8)`: four chosen positions, the rest ignored. */
function maskedTargets(salt: number): tf.Tensor2D {
  const labels = ids(1, 4, 13, salt, 1).dataSync();
  const targets = new Int32Array(16).fill(IGNORE_TARGET);
  [1, 3, 9, 12].forEach((position, k) => (targets[position] = labels[k]));
  return tf.tensor2d(targets, [2, 8], "int32");
}

for (const shards of [1, 2]) {
  Deno.test(`encoder-only after in-place training on ${shards} thread(s): one row, 16 rows and a restored copy agree`, async () => {
    setSeed(5);
    const model = new EncoderOnly(ENCODER_CONFIG);
    const row = ids(1, 8, 13, 3, 1);
    const positions = tf.tensor1d([2, 5], "int32");
    tf.tidy(() => model.encode(row));
    let salt = 0;
    await trainInPlace(
      { kind: "encoder-only", config: ENCODER_CONFIG },
      model,
      () => ({ ids: ids(2, 8, 13, salt++, 1), targets: maskedTargets(salt) }),
      shards,
    );
    const copy = await restoredCopy(model, () => new EncoderOnly(ENCODER_CONFIG));
    try {
      const [alone, inBatch, restored, logits, restoredLogits] = tf.tidy(() => [
        model.encode(row),
        model.encode(tiled(row, 16)).slice([0, 0, 0], [1, -1, -1]),
        copy.encode(row),
        model.logitsAt(row, positions),
        copy.logitsAt(row, positions),
      ]);
      assert(gap(alone, inBatch) < 1e-4, `one row vs 16 rows: ${gap(alone, inBatch)}`);
      assert(gap(alone, restored) < 1e-4, `one row vs the restored copy: ${gap(alone, restored)}`);
      assert(gap(logits, restoredLogits) < 1e-4, `fill-in logits: ${gap(logits, restoredLogits)}`);
      tf.dispose([alone, inBatch, restored, logits, restoredLogits]);
    } finally {
      tf.dispose([row, positions]);
      model.dispose();
      copy.dispose();
    }
  });
}

Deno.test("two threads follow one when every shard has fewer than 16 rows (the worker's weights are fresh)", async () => {
  const run = async (shards: number) => {
    setSeed(6);
    const model = new GPT(GPT_CONFIG);
    await trainGPT(model, shards);
    return model;
  };
  const [one, two] = [await run(1), await run(2)];
  const row = ids(4, 8, 13, 9);
  const [a, b] = tf.tidy(() => [one.forward(row), two.forward(row)]);
  try {
    assert(gap(a, b) < 1e-3, `one thread vs two after 8 steps: ${gap(a, b)}`);
  } finally {
    tf.dispose([a, b, row]);
    one.dispose();
    two.dispose();
  }
});
