import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals } from "../assert.ts";
import {
  DataParallel,
  GPT,
  initCourse,
  replicaJob,
  setSeed,
  taskLoss,
  toTensors,
  type TrainingTask,
} from "../../src/mod.ts";
import { workerSeed } from "../../src/engine/data_parallel.ts";
import { matrix, TINY_GPT } from "../fixtures.ts";

await initCourse();

Deno.test("data parallel with dropout: each worker draws its masks from its own seed, derived from the run's", async () => {
  setSeed(60);
  const config = { ...TINY_GPT, dropout: 0.5 };
  const model = new GPT(config);
  const task: TrainingTask<"gpt"> = { kind: "gpt", config };
  const row = [[1, 2, 3, 4, 5, 6, 7, 8]];
  const next = [[2, 3, 4, 5, 6, 7, 8, 9]];
  const oneRow = { x: matrix(row), y: matrix(next) };
  const threeRows = { x: matrix([row, row, row].flat()), y: matrix([next, next, next].flat()) };
  const before = tf.memory().numTensors;
  const seeds = [workerSeed(1), workerSeed(2)]; // what the workers get: the generator as it stands
  const parallel = await DataParallel.start(replicaJob(task), model, 3);
  let loss: number;
  try {
    setSeed(61); // this thread's shard draws from here; the workers' from their own seeds
    loss = (await parallel.gradients(threeRows)).loss;
  } finally {
    parallel.close();
  }
  const shardLoss = (seed: number) => {
    setSeed(seed);
    return tf.tidy(() => taskLoss(task, model, toTensors(oneRow)).dataSync()[0]);
  };
  const losses = [shardLoss(61), ...seeds.map(shardLoss)];
  assertAlmostEquals(loss, (losses[0] + losses[1] + losses[2]) / 3, 1e-5);
  for (const [i, j] of [[0, 1], [0, 2], [1, 2]]) {
    const same = Math.abs(losses[i] - losses[j]) < 1e-4;
    assert(!same, `equal thirds, equal losses ${losses[i]} (shards ${i} and ${j}): masks shared`);
  }
  assert(tf.memory().numTensors === before, "no tensors left behind");
  model.dispose();
});
