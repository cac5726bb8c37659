/**
 * `deno task bench:train`: the speed of training the course's baby GPT, and of the matrix
 * products it is made of, on the wasm and cpu backends.
 *
 * The model: 4 layers, 4 heads, d_model 128, context 64, batch 12, the character vocabulary of
 * Moby Dick (81), AdamW, gradient clipping at 1.0: lesson 7's model, but with the LM head tied to
 * the embedding (lesson 7's own head is untied: 1 % more parameters), as
 * `pytorch/moby_gpt.py --tie-weights` trains it in PyTorch for comparison.
 *
 * Prints `train step (wasm): X ms/step` and the same for cpu, then the training step of lesson 9's
 * encoder-decoder (batches of 128 words, at `d_model` 128, as `pytorch/g2p.py --d-model 128` can
 * train it, and at the course's 64), then both steps split over two threads (`shards: 2`, data
 * parallelism, as the recipes train), then GFLOP/s of plain (NN), transposed (NT, TN) and batched
 * products.
 * `--steps N` sets the timed steps (default 30); `--profile` prints the kernels that take the
 * most time in one step.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  AdamW,
  CharTokenizer,
  disposeBatch,
  disposeSeq2SeqBatch,
  EncoderDecoder,
  g2pConfig,
  g2pData,
  GPT,
  initCourse,
  lengthBucketedBatches,
  mobyDickSplit,
  mobyGPTConfig,
  Random,
  sampleBatch,
  seq2seqBatch,
  setSeed,
  trainLanguageModel,
  trainSeq2Seq,
  trainStep,
} from "../src/mod.ts";

const args = Deno.args;
const steps = Number(args[args.indexOf("--steps") + 1]) || 30;
const backends = args.includes("--wasm-only") ? ["wasm"] : ["wasm", "cpu"];

const { train } = mobyDickSplit();
const tokenizer = CharTokenizer.train(train);
const tokens = Int32Array.from(tokenizer.encode(train));
/** Lesson 7's model with its head tied to the embedding, as `pytorch/moby_gpt.py --tie-weights`. */
const benchConfig = { ...mobyGPTConfig(tokenizer.vocabSize), tieWeights: true };

/** Mean ms of `step` over `timedSteps` calls after 3 warm-up calls, warning if it leaks tensors. */
function msPerStep(step: () => void, timedSteps: number): number {
  for (let i = 0; i < 3; i++) step(); // warm-up
  const before = tf.memory().numTensors;
  const started = performance.now();
  for (let i = 0; i < timedSteps; i++) step();
  const ms = (performance.now() - started) / timedSteps;
  if (tf.memory().numTensors !== before) {
    console.warn(`warning: ${tf.memory().numTensors - before} tensors leaked`);
  }
  return ms;
}

async function timeTraining(backend: "wasm" | "cpu", timedSteps: number): Promise<number> {
  await initCourse({ backend });
  setSeed(1337);
  const model = new GPT(benchConfig);
  const optimizer = new AdamW(model.parameters());
  const random = new Random(0);
  const step = () => {
    const batch = sampleBatch(tokens, 12, 64, random);
    trainStep(() => model.loss(batch.x, batch.y), optimizer, { learningRate: 1e-3, clipNorm: 1 });
    disposeBatch(batch);
  };
  const ms = msPerStep(step, timedSteps);
  if (args.includes("--profile") && backend === "wasm") {
    const profile = await tf.profile(() => step());
    const byKernel = new Map<string, number>();
    for (const k of profile.kernels) {
      byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + (k.kernelTimeMs as number));
    }
    const total = [...byKernel.values()].reduce((a, b) => a + b, 0);
    console.log(`profile of one step (${total.toFixed(0)} ms in kernels):`);
    for (const [name, t] of [...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 12)) {
      console.log(
        `  ${name.padEnd(24)} ${t.toFixed(1).padStart(7)} ms  ${
          (100 * t / total).toFixed(0).padStart(3)
        } %`,
      );
    }
  }
  optimizer.dispose();
  model.dispose();
  return ms;
}

function gflops(label: string, flops: number, run: () => tf.Tensor): string {
  tf.tidy(() => void run().dataSync());
  const repeats = 20;
  const started = performance.now();
  for (let i = 0; i < repeats; i++) tf.tidy(() => void run().dataSync());
  const ms = (performance.now() - started) / repeats;
  return `${label.padEnd(34)} ${ms.toFixed(2).padStart(7)} ms  ${
    (flops / ms / 1e6).toFixed(1).padStart(6)
  } GFLOP/s`;
}

for (const backend of backends as ("wasm" | "cpu")[]) {
  const ms = await timeTraining(
    backend,
    backend === "cpu" ? Math.max(3, Math.floor(steps / 6)) : steps,
  );
  console.log(`train step (${backend}): ${ms.toFixed(1)} ms/step`);
}

/** ms per training step of lesson 9's encoder-decoder at `dModel`, on length-bucketed batches of 128. */
function timeG2P(dModel: number, timedSteps: number): number {
  const data = g2pData();
  setSeed(0);
  const model = new EncoderDecoder({ ...g2pConfig(data), dModel });
  const optimizer = new AdamW(model.parameters());
  const batches = lengthBucketedBatches(data.train, 128, new Random(0));
  const step = () => {
    const batch = seq2seqBatch(batches.pop()!, data.phonemes);
    trainStep(
      () => model.loss(batch.source, batch.targetIn, batch.targetOut, 0.1),
      optimizer,
      { learningRate: 1e-3, clipNorm: 1 },
    );
    disposeSeq2SeqBatch(batch);
  };
  const ms = msPerStep(step, timedSteps);
  optimizer.dispose();
  model.dispose();
  return ms;
}

await initCourse({ backend: "wasm" });
for (const dModel of [128, 64]) {
  console.log(
    `g2p train step (wasm, d_model ${dModel}, batch 128): ${
      timeG2P(dModel, steps).toFixed(1)
    } ms/step`,
  );
}
/**
 * Times a training loop's steps from its `onStep` reports, leaving out 3 warm-up steps and the
 * last (it validates).
 */
function stepTimer(): { onStep: () => void; msPerStep: () => number } {
  const times: number[] = [];
  return {
    onStep: () => void times.push(performance.now()),
    msPerStep: () => (times[times.length - 2] - times[2]) / (times.length - 4),
  };
}

const loopSettings = {
  steps: steps + 4,
  clipNorm: 1,
  optimizer: {},
  evalEvery: steps + 4,
  evalBatches: 1,
  shards: 2,
};
{
  setSeed(1337);
  const model = new GPT(benchConfig);
  const timer = stepTimer();
  await trainLanguageModel(
    model,
    tokens,
    tokens.subarray(0, 2000),
    {
      ...loopSettings,
      batchSize: 12,
      schedule: { max: 1e-3, min: 1e-4, warmup: 2, total: steps + 4 },
    },
    new Random(0),
    timer.onStep,
  );
  console.log(`train step (wasm, 2 threads): ${timer.msPerStep().toFixed(1)} ms/step`);
  model.dispose();
}
{
  const data = g2pData();
  setSeed(0);
  const model = new EncoderDecoder(g2pConfig(data));
  const timer = stepTimer();
  await trainSeq2Seq(
    model,
    data.train,
    data.validation.slice(0, 128),
    data.phonemes,
    {
      ...loopSettings,
      batchSize: 128,
      schedule: { max: 1e-3, min: 1e-4, warmup: 2, total: steps + 4 },
      labelSmoothing: 0.1,
    },
    new Random(0),
    timer.onStep,
  );
  console.log(
    `g2p train step (wasm, d_model 64, batch 128, 2 threads): ${
      timer.msPerStep().toFixed(1)
    } ms/step`,
  );
  model.dispose();
}

const [m, k, n] = [768, 128, 512];
const a = tf.randomNormal([m, k]), b = tf.randomNormal([k, n]);
const aT = tf.randomNormal([k, m]), bT = tf.randomNormal([n, k]);
const qb = tf.randomNormal([12, 4, 64, 32]), kb = tf.randomNormal([12, 4, 64, 32]);
const flops = 2 * m * k * n;
console.log("matrix products on wasm:");
console.log(gflops(`NN  [${m},${k}]·[${k},${n}]`, flops, () => tf.matMul(a, b)));
console.log(gflops(`NT  [${m},${k}]·[${n},${k}]ᵀ`, flops, () => tf.matMul(a, bT, false, true)));
console.log(gflops(`TN  [${k},${m}]ᵀ·[${k},${n}]`, flops, () => tf.matMul(aT, b, true, false)));
console.log(
  gflops("batched Q·Kᵀ [12,4,64,32]", 2 * 48 * 64 * 64 * 32, () => tf.matMul(qb, kb, false, true)),
);
tf.dispose([a, b, aT, bT, qb, kb]);
