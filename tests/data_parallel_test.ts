import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "./assert.ts";
import {
  countedTargets,
  DataParallel,
  EncoderDecoder,
  GPT,
  type GPTConfig,
  type HostBatch,
  initCourse,
  Random,
  replicaLoss,
  type ReplicaModel,
  type ReplicaTask,
  setSeed,
  splitRows,
  toTensors,
  trainLanguageModel,
  trainLoop,
} from "../src/mod.ts";

await initCourse();

const TINY_GPT: GPTConfig = {
  vocabSize: 11,
  contextLength: 8,
  dModel: 16,
  numHeads: 2,
  numLayers: 2,
};

/** A host matrix from rows of ids. */
function matrix(rows: number[][]) {
  return { rows: rows.length, cols: rows[0].length, data: Int32Array.from(rows.flat()) };
}

/** Random ids `(rows, cols)` in [0, vocab), with `skip` placed at random in a share of places. */
function randomIds(random: Random, rows: number, cols: number, vocab: number, skip?: number) {
  return matrix(
    Array.from(
      { length: rows },
      (_, r) =>
        Array.from(
          { length: cols },
          () => skip !== undefined && random.int(3 + r) === 0 ? skip : random.int(vocab),
        ),
    ),
  );
}

/** The loss and gradients of the whole batch on this thread alone. */
function serialGradients(task: ReplicaTask, model: ReplicaModel, batch: HostBatch) {
  return tf.tidy(() => {
    const tensors = toTensors(batch);
    const variables = [...model.parameters().values()];
    const { value, grads } = tf.variableGrads(() => replicaLoss(task, model, tensors), variables);
    const byName: Record<string, Float32Array> = {};
    for (const [name, v] of model.parameters()) {
      byName[name] = grads[v.name].dataSync() as Float32Array;
    }
    return { loss: value.dataSync()[0], byName };
  });
}

/** Largest |a − b| over two gradient sets, by name. */
async function largestGradientGap(
  task: ReplicaTask,
  model: ReplicaModel,
  batch: HostBatch,
  shards: number,
): Promise<{ lossGap: number; gradientGap: number; scale: number }> {
  const serial = serialGradients(task, model, batch);
  const parallel = await DataParallel.start(task, model, shards);
  try {
    const { loss, gradients } = await parallel.gradients(batch);
    let gradientGap = 0;
    let scale = 0;
    for (const [name, values] of Object.entries(serial.byName)) {
      const other = gradients[name];
      values.forEach((v, i) => {
        gradientGap = Math.max(gradientGap, Math.abs(v - other[i]));
        scale = Math.max(scale, Math.abs(v));
      });
    }
    return { lossGap: Math.abs(loss - serial.loss), gradientGap, scale };
  } finally {
    parallel.close();
  }
}

Deno.test("splitRows: shards as even as possible, in order, nothing lost", () => {
  const batch = {
    x: matrix([[1, 2], [3, 4], [5, 6], [7, 8], [9, 10]]),
    y: matrix([[1], [2], [3], [4], [5]]),
  };
  const shards = splitRows(batch, 2);
  assertEquals(shards.map((s) => s.x.rows), [3, 2]);
  assertEquals([...shards[1].x.data], [7, 8, 9, 10]);
  assertEquals([...shards[0].y.data], [1, 2, 3]);
  assertEquals(splitRows(batch, 8).length, 5, "never an empty shard");
  assertThrows(
    () => splitRows({ x: matrix([[1], [2]]), y: matrix([[1]]) }, 2),
    /y has 1, not 2/,
  );
});

Deno.test("countedTargets: every target, or all but the ignored or padded ones", () => {
  const y = matrix([[1, -1, 2], [-1, -1, 3]]);
  assertEquals(countedTargets({ model: "gpt", config: TINY_GPT }, { x: y, y }), 6);
  assertEquals(countedTargets({ model: "gpt", config: TINY_GPT, ignoreId: -1 }, { x: y, y }), 3);
  const config = { sourceVocabSize: 5, targetVocabSize: 5, maxLength: 8, dModel: 8, numHeads: 2 };
  const targetOut = matrix([[3, 2, 0], [4, 0, 0]]);
  assertEquals(
    countedTargets(
      {
        model: "encoder-decoder",
        config: { ...config, encoderLayers: 1, decoderLayers: 1 },
        labelSmoothing: 0,
      },
      { source: targetOut, targetIn: targetOut, targetOut },
    ),
    3,
  );
  assertThrows(
    () => countedTargets({ model: "gpt", config: TINY_GPT }, { source: y }),
    /a gpt batch needs x, y; got source/,
  );
});

Deno.test("data-parallel gradients equal one thread's, shards weighted by their counted targets", async () => {
  setSeed(3);
  const random = new Random(4);
  // A chat-like batch: ignored targets spread unevenly, so the shards count different numbers.
  const task: ReplicaTask = { model: "gpt", config: TINY_GPT, ignoreId: 0 };
  const model = new GPT(TINY_GPT);
  const batch = { x: randomIds(random, 5, 8, 11), y: randomIds(random, 5, 8, 11, 0) };
  const [a, b] = splitRows(batch, 2).map((s) => countedTargets(task, s));
  assert(a / 3 !== b / 2, `the shards should count unevenly per row (${a} and ${b})`);
  const before = tf.memory().numTensors;
  const gap = await largestGradientGap(task, model, batch, 2);
  assertEquals(tf.memory().numTensors, before, "no tensors left behind");
  assert(gap.lossGap < 1e-6, `loss differs by ${gap.lossGap}`);
  assert(gap.gradientGap < 1e-6 * Math.max(1, gap.scale), `gradients differ by ${gap.gradientGap}`);
  model.dispose();
});

Deno.test("data-parallel gradients of an encoder-decoder with padding and label smoothing", async () => {
  setSeed(5);
  const random = new Random(6);
  const config = {
    sourceVocabSize: 9,
    targetVocabSize: 7,
    maxLength: 10,
    dModel: 16,
    numHeads: 2,
    encoderLayers: 1,
    decoderLayers: 1,
  };
  const task: ReplicaTask = { model: "encoder-decoder", config, labelSmoothing: 0.1 };
  const model = new EncoderDecoder(config);
  const targetOut = randomIds(random, 7, 6, 7, 0);
  const batch = {
    source: randomIds(random, 7, 5, 9, 0),
    targetIn: randomIds(random, 7, 6, 7),
    targetOut,
  };
  const gap = await largestGradientGap(task, model, batch, 3);
  assert(gap.lossGap < 1e-6, `loss differs by ${gap.lossGap}`);
  assert(gap.gradientGap < 1e-6 * Math.max(1, gap.scale), `gradients differ by ${gap.gradientGap}`);
  model.dispose();
});

Deno.test("training on two threads follows training on one, and leaves no tensors behind", async () => {
  const tokens = Int32Array.from({ length: 400 }, (_, i) => (i * 7 + (i >> 3)) % 11);
  const settings = {
    steps: 6,
    batchSize: 6,
    schedule: { max: 1e-2, min: 1e-3, warmup: 2, total: 6 },
    clipNorm: 1,
    optimizer: {},
    evalEvery: 3,
    evalBatches: 2,
  };
  const run = async (shards: number) => {
    setSeed(8);
    const model = new GPT(TINY_GPT);
    const before = tf.memory().numTensors;
    const result = await trainLanguageModel(
      model,
      tokens,
      tokens,
      { ...settings, shards },
      new Random(9),
    );
    assertEquals(tf.memory().numTensors, before, `shards ${shards}: no tensors left behind`);
    model.dispose();
    return result.history;
  };
  const one = await run(1);
  const two = await run(2);
  for (let i = 0; i < one.length; i++) {
    assertAlmostEquals(two[i].train, one[i].train, 1e-4, `step ${i}`);
  }
  assertAlmostEquals(two[5].val!, one[5].val!, 1e-4, "validation after the last step");
  assert(one[5].train < one[0].train, "and it learns");
});

Deno.test("a worker's error reaches the caller; a task without a replica cannot be split", async () => {
  setSeed(1);
  const model = new GPT(TINY_GPT);
  const parallel = await DataParallel.start({ model: "gpt", config: TINY_GPT }, model, 2);
  try {
    let message = "";
    // The second shard has a token id the model does not have.
    const x = matrix([[1, 2], [3, 99]]);
    await parallel.gradients({ x, y: x }).catch((e: Error) => (message = e.message));
    assert(message.includes("gradient worker 1") && message.includes("99"), message);
  } finally {
    parallel.close();
  }
  const settings = {
    steps: 1,
    schedule: { max: 1e-3, min: 1e-3, warmup: 0, total: 1 },
    clipNorm: 1,
    optimizer: {},
    evalEvery: 1,
    shards: 2,
  };
  let message = "";
  await trainLoop(model.parameters(), settings, {
    next: () => 0,
    loss: () => tf.scalar(0),
    dispose: () => {},
  }, () => 0).catch((e: Error) => (message = e.message));
  assert(message.includes("settings.shards is 2"), message);
  model.dispose();
});
