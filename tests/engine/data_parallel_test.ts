import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals } from "../assert.ts";
import {
  DataParallel,
  EncoderDecoder,
  EncoderOnly,
  fusedKernelsInUse,
  GPT,
  type HostBatch,
  IGNORE_TARGET,
  initCourse,
  MODEL_KINDS,
  type ModelKind,
  type ModelOf,
  Random,
  replicaJob,
  setSeed,
  setTrainable,
  splitRows,
  taskLoss,
  toTensors,
  type TrainingTask,
  trainLanguageModel,
  trainLoop,
  useFusedKernels,
} from "../../src/mod.ts";
import { matrix, TINY_GPT } from "../fixtures.ts";

await initCourse();

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
function serialGradients<K extends ModelKind>(
  task: TrainingTask<K>,
  model: ModelOf<K>,
  batch: HostBatch,
) {
  return tf.tidy(() => {
    const tensors = toTensors(batch);
    const variables = [...model.parameters().values()];
    const { value, grads } = tf.variableGrads(() => taskLoss(task, model, tensors), variables);
    const byName: Record<string, Float32Array> = {};
    for (const [name, v] of model.parameters()) {
      byName[name] = grads[v.name].dataSync() as Float32Array;
    }
    return { loss: value.dataSync()[0], byName };
  });
}

/** Largest |a − b| over two gradient sets, by name. */
async function largestGradientGap<K extends ModelKind>(
  task: TrainingTask<K>,
  model: ModelOf<K>,
  batch: HostBatch,
  shards: number,
): Promise<{ lossGap: number; gradientGap: number; scale: number }> {
  const serial = serialGradients(task, model, batch);
  const parallel = await DataParallel.start(replicaJob(task), model, shards);
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

Deno.test("data-parallel gradients equal one thread's, shards weighted by their counted targets", async () => {
  setSeed(3);
  const random = new Random(4);
  // A chat-like batch: ignored targets spread unevenly, so the shards count different numbers.
  const task: TrainingTask<"gpt"> = { kind: "gpt", config: TINY_GPT, options: { ignoreId: 0 } };
  const model = new GPT(TINY_GPT);
  const batch = { x: randomIds(random, 5, 8, 11), y: randomIds(random, 5, 8, 11, 0) };
  const [a, b] = splitRows(batch, 2).map((s) =>
    MODEL_KINDS.gpt.countedTargets(s, task.options!, TINY_GPT)
  );
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
  const task: TrainingTask<"encoder-decoder"> = {
    kind: "encoder-decoder",
    config,
    options: { labelSmoothing: 0.1 },
  };
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

Deno.test("data-parallel gradients of an encoder-only model (masked positions, unevenly)", async () => {
  setSeed(7);
  const random = new Random(8);
  const config = { vocabSize: 13, maxLength: 6, dModel: 16, numHeads: 2, numLayers: 1 };
  const task: TrainingTask<"encoder-only"> = { kind: "encoder-only", config };
  const model = new EncoderOnly(config);
  const batch = {
    ids: randomIds(random, 5, 6, 13),
    targets: randomIds(random, 5, 6, 13, IGNORE_TARGET),
  };
  const gap = await largestGradientGap(task, model, batch, 2);
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

Deno.test("an encoder-only model trains on two threads as on one, through the registry", async () => {
  const config = { vocabSize: 13, maxLength: 6, dModel: 16, numHeads: 2, numLayers: 1 };
  const settings = {
    steps: 4,
    schedule: { max: 3e-3, min: 3e-3, warmup: 0, total: 4 },
    clipNorm: 1,
    optimizer: {},
    evalEvery: 4,
  };
  const run = async (shards: number) => {
    setSeed(11);
    const model = new EncoderOnly(config);
    const random = new Random(12);
    const before = tf.memory().numTensors;
    const result = await trainLoop(
      { kind: "encoder-only", config },
      model,
      { ...settings, shards },
      () =>
        toTensors({
          ids: randomIds(random, 6, 6, 13),
          targets: randomIds(random, 6, 6, 13, IGNORE_TARGET),
        }),
      () => 0,
    );
    assertEquals(tf.memory().numTensors, before, `shards ${shards}: no tensors left behind`);
    model.dispose();
    return result.history.map((r) => r.train);
  };
  const one = await run(1);
  const two = await run(2);
  one.forEach((loss, i) => assertAlmostEquals(two[i], loss, 1e-4, `step ${i}`));
});

Deno.test("a worker's error reaches the caller; an unknown model kind is named", async () => {
  setSeed(1);
  const model = new GPT(TINY_GPT);
  const job = replicaJob({ kind: "gpt", config: TINY_GPT });
  const parallel = await DataParallel.start(job, model, 2);
  try {
    let message = "";
    // The second shard has a token id the model does not have.
    const x = matrix([[1, 2], [3, 99]]);
    await parallel.gradients({ x, y: x }).catch((e: Error) => (message = e.message));
    assert(message.includes("gradient worker 1") && message.includes("99"), message);
  } finally {
    parallel.close();
  }
  let message = "";
  await DataParallel.start({ ...job, kind: "lstm" }, model, 2).catch((e: Error) =>
    message = e.message
  );
  assert(message.includes('no model kind "lstm"') && message.includes("encoder-only"), message);
  model.dispose();
});

Deno.test("after a shard fails, the next batch's gradients are right, and no tensor is left behind", async () => {
  setSeed(2);
  const model = new GPT(TINY_GPT);
  const job = replicaJob({ kind: "gpt", config: TINY_GPT });
  const good = { x: matrix([[1, 2], [3, 4]]), y: matrix([[2, 3], [4, 5]]) };
  // Id 99 in the first shard, the one this thread computes, while the worker computes the second.
  const bad = { x: matrix([[1, 99], [3, 4]]), y: matrix([[2, 3], [4, 5]]) };
  const fresh = await DataParallel.start(job, model, 2);
  let expected: number;
  try {
    expected = (await fresh.gradients(good)).loss;
  } finally {
    fresh.close();
  }
  const parallel = await DataParallel.start(job, model, 2);
  try {
    const before = tf.memory().numTensors;
    const message = await parallel.gradients(bad).then(() => "", (e: Error) => e.message);
    assert(message.includes("99"), `the bad id is named: ${message}`);
    assertEquals(tf.memory().numTensors, before, "the failed step left no tensor behind");
    assertEquals((await parallel.gradients(good)).loss, expected, "the next step is not stale");
  } finally {
    parallel.close();
    model.dispose();
  }
});

Deno.test("frozen parameters: the job must name the model's, and freezing after the start is refused", async () => {
  setSeed(3);
  const model = new GPT(TINY_GPT);
  const job = replicaJob({ kind: "gpt", config: TINY_GPT });
  const frozenName = [...model.parameters().keys()][0];
  let message = "";
  setTrainable(model.tokenEmbedding, false); // frozen here, but the job does not say so
  await DataParallel.start(job, model, 2).catch((e: Error) => (message = e.message));
  assert(message.includes("every thread must freeze the same parameters"), message);
  const parallel = await DataParallel.start({ ...job, frozen: [frozenName] }, model, 2);
  try {
    setTrainable(model.tokenEmbedding, true); // after the start: the workers still freeze it
    const x = matrix([[1, 2], [3, 4]]);
    message = "";
    await parallel.gradients({ x, y: x }).catch((e: Error) => (message = e.message));
    assert(message.includes("after the threads started"), message);
  } finally {
    parallel.close();
    model.dispose();
  }
});

Deno.test("a recipe's fusedKernels holds for its run, on one thread or two, and the setting comes back", async () => {
  const tokens = Int32Array.from({ length: 400 }, (_, i) => (i * 5 + (i >> 2)) % 11);
  const settings = {
    steps: 2,
    batchSize: 4,
    schedule: { max: 1e-2, min: 1e-3, warmup: 1, total: 2 },
    clipNorm: 1,
    optimizer: {},
    evalEvery: 2,
    evalBatches: 1,
  };
  /** The losses of a run with the recipe's setting, and the attention kernel calls on this thread. */
  const run = async (fusedKernels: boolean | undefined, shards: number) => {
    setSeed(8);
    const model = new GPT(TINY_GPT);
    try {
      let losses: number[] = [];
      const profile = await tf.profile(async () => {
        const result = await trainLanguageModel(
          model,
          tokens,
          tokens,
          { ...settings, shards, fusedKernels },
          new Random(9),
        );
        losses = result.history.flatMap((r) => [r.train, r.val ?? NaN]);
      });
      const fused = profile.kernels.filter((k) => k.name === "CourseAttention").length;
      return { losses, fused };
    } finally {
      model.dispose();
    }
  };
  const runs: Record<string, Awaited<ReturnType<typeof run>>> = {};
  try {
    for (const course of [false, true]) {
      useFusedKernels(course);
      for (const shards of [1, 2]) {
        for (const recipe of [undefined, true, false]) {
          runs[`${course} ${shards} ${recipe}`] = await run(recipe, shards);
          assertEquals(fusedKernelsInUse(), course, "the course's setting comes back after a run");
        }
        const [kernels, formulas] = [
          runs[`${course} ${shards} true`],
          runs[`${course} ${shards} false`],
        ];
        assert(
          kernels.fused > 0 && formulas.fused === 0,
          `shards ${shards}: the recipe's way is used`,
        );
        assertAlmostEquals(
          kernels.losses[0],
          formulas.losses[0],
          1e-4,
          "the two ways agree to rounding",
        );
      }
    }
  } finally {
    useFusedKernels(false);
  }
  for (const shards of [1, 2]) {
    // A recipe's way, whatever the course's: the same run, bit for bit, on every thread.
    for (const way of [true, false]) {
      assertEquals(
        runs[`${!way} ${shards} ${way}`].losses,
        runs[`${way} ${shards} undefined`].losses,
      );
    }
    assertEquals(runs[`true ${shards} undefined`].fused > 0, true, "unset, the course's way");
    assertEquals(runs[`false ${shards} undefined`].fused, 0, "unset, the course's way");
  }
  const model = new GPT(TINY_GPT);
  const before = tf.memory().numTensors;
  const failing = () => {
    assertEquals(fusedKernelsInUse(), true, "during the run, the recipe's way");
    throw new Error("stop here");
  };
  for (const shards of [1, 2]) {
    const recipe = { ...settings, shards, fusedKernels: true };
    let message = "";
    await trainLanguageModel(model, tokens, tokens, recipe, new Random(1), failing)
      .catch((e: Error) => (message = e.message));
    assertEquals(message, "stop here", `shards ${shards}: the failure reaches the caller`);
    assertEquals(fusedKernelsInUse(), false, `shards ${shards}: a failed run restores the setting`);
  }
  assertEquals(tf.memory().numTensors, before, "a failed run leaves no tensors behind");
  model.dispose();
});
