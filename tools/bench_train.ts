/**
 * `deno task bench:train`: the training speed of each training lesson's model, by its own recipe
 * (model, batch, optimizer, loss), on one thread and on two (each step's batch split over two
 * threads, as the recipes train), with the kernel calls a step makes, each with attention and
 * cross-entropy by their formulas and by their kernels (each recipe's `fusedKernels` says which
 * way its checkpoint was trained); then PyTorch's step of
 * lesson 7's model where a Python with torch is found, and GFLOP/s of the matrix products.
 *
 * The lessons: 7 (character GPT on Moby Dick), 9 (spelling → pronunciation encoder-decoder), 10
 * (masked-language model), 11 (chat GPT), 12 (the modern GPT), 13 (the State of the Union GPT's
 * pretraining, and its fine-tuning as a spam classifier). A row runs the lesson's training
 * function for 3 warm-up steps, the timed steps and one more (it validates), and reports the mean
 * of the timed steps; kernel calls per step are those of a run of 3 steps less those of a run of
 * 1, halved (on one thread: what this thread's engine runs).
 *
 * `--steps N` sets the timed steps (default 20); `--only 9,11` picks lessons by number;
 * `--profile` prints, for each row, the kernels that take the most time in one step;
 * `--no-pytorch` and `--no-products` leave those parts out.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  type ByteBpeTokenizer,
  CharTokenizer,
  ChatTemplate,
  EncoderDecoder,
  EncoderOnly,
  fineTuneSpam,
  fusedKernelsInUse,
  G2P_TRAINING,
  g2pConfig,
  g2pData,
  GPT,
  type GPTConfig,
  initCourse,
  MLM_TRAINING,
  mlmConfig,
  mlmData,
  MOBY_GPT_TRAINING,
  mobyDickSplit,
  mobyGPTConfig,
  modernGPTConfig,
  Random,
  readCheckpoint,
  setSeed,
  SOTU_GPT_TRAINING,
  sotuTokens,
  spamClassifier,
  spamData,
  spamTraining,
  SUM_CHAT_TRAINING,
  sumChatConfig,
  sumChatTokenizer,
  sumQuestionSplit,
  tokenizerFromJSON,
  type TrainingSettings,
  trainLanguageModel,
  trainMlm,
  trainSeq2Seq,
  trainSumChat,
  useFusedKernels,
  withSteps,
} from "../src/mod.ts";
import { option } from "./training_run.ts";

const timedSteps = Number(option("--steps") ?? 20);
const only = option("--only")?.split(",").map(Number);

/**
 * A recipe's settings for a run of `steps` steps on `shards` threads, validating once at the end,
 * with attention and cross-entropy as the row says (`useFusedKernels`), whatever the recipe says.
 */
function shortRun<S extends { steps: number; schedule: TrainingSettings["schedule"] }>(
  recipe: S,
  steps: number,
  shards: number,
): S & { evalEvery: number; shards: number; evalBatches: number; fusedKernels: boolean } {
  return {
    ...withSteps(recipe, steps),
    evalEvery: steps,
    shards,
    evalBatches: 1,
    fusedKernels: fusedKernelsInUse(),
  };
}

/** One row of the table: a lesson's training function, run for `steps` steps on `shards` threads. */
interface LessonRun {
  lesson: number;
  name: string;
  train(steps: number, shards: number, onStep: () => void): Promise<void>;
}

await initCourse({ backend: "wasm" });

/** Lesson 7's and 12's GPTs: the recipe on Moby Dick's characters, with one config or the other. */
function mobyRun(lesson: number, name: string, config: (vocab: number) => GPTConfig): LessonRun {
  const { train, heldOut } = mobyDickSplit();
  const tokenizer = CharTokenizer.train(train + heldOut);
  const trainTokens = Int32Array.from(tokenizer.encode(train));
  const valTokens = Int32Array.from(tokenizer.encode(heldOut.slice(0, 5000)));
  return {
    lesson,
    name,
    async train(steps, shards, onStep) {
      setSeed(1337);
      const model = new GPT(config(tokenizer.vocabSize));
      const settings = shortRun(MOBY_GPT_TRAINING, steps, shards);
      await trainLanguageModel(model, trainTokens, valTokens, settings, new Random(0), onStep);
      model.dispose();
    },
  };
}

/** The runs, built lazily (each loads its data when first asked). */
const lessons: (() => Promise<LessonRun>)[] = [
  () => Promise.resolve(mobyRun(7, "GPT, Moby Dick characters", mobyGPTConfig)),
  () => {
    const data = g2pData();
    const validation = data.validation.slice(0, 128);
    return Promise.resolve({
      lesson: 9,
      name: "encoder-decoder, spelling → sounds",
      async train(steps, shards, onStep) {
        setSeed(0);
        const model = new EncoderDecoder(g2pConfig(data));
        const settings = shortRun(G2P_TRAINING, steps, shards);
        await trainSeq2Seq(
          model,
          data.train,
          validation,
          data.phonemes,
          settings,
          new Random(0),
          onStep,
        );
        model.dispose();
      },
    });
  },
  () => {
    const data = mlmData();
    const small = { ...data, heldOut: data.heldOut.slice(0, 64) };
    return Promise.resolve({
      lesson: 10,
      name: "encoder-only, masked words",
      async train(steps, shards, onStep) {
        setSeed(0);
        const model = new EncoderOnly(mlmConfig(data));
        await trainMlm(model, small, shortRun(MLM_TRAINING, steps, shards), new Random(0), onStep);
        model.dispose();
      },
    });
  },
  () => {
    const tokenizer = sumChatTokenizer();
    const template = new ChatTemplate(tokenizer);
    const split = sumQuestionSplit();
    const small = { train: split.train, validation: split.validation.slice(0, 32) };
    return Promise.resolve({
      lesson: 11,
      name: "chat GPT, sums",
      async train(steps, shards, onStep) {
        setSeed(0);
        const model = new GPT(sumChatConfig(tokenizer.vocabSize));
        const settings = shortRun(SUM_CHAT_TRAINING, steps, shards);
        await trainSumChat(model, template, small, settings, new Random(0), onStep);
        model.dispose();
      },
    });
  },
  () => Promise.resolve(mobyRun(12, "modern GPT (RMSNorm, rotary, SwiGLU)", modernGPTConfig)),
  async () => {
    const pretrained = await readCheckpoint(new URL("../data/sotu_gpt.ckpt", import.meta.url));
    const tokenizer = tokenizerFromJSON(pretrained.header.tokenizer);
    const { train, val } = sotuTokens(tokenizer as ByteBpeTokenizer);
    const valTokens = val.tokens.subarray(0, 20_000);
    return {
      lesson: 13,
      name: "GPT pretraining, State of the Union",
      async train(steps, shards, onStep) {
        setSeed(0);
        const model = new GPT(pretrained.header.config as unknown as GPTConfig);
        const settings = shortRun(SOTU_GPT_TRAINING, steps, shards);
        await trainLanguageModel(model, train.tokens, valTokens, settings, new Random(0), onStep);
        model.dispose();
      },
    };
  },
  async () => {
    const pretrained = await readCheckpoint(new URL("../data/sotu_gpt.ckpt", import.meta.url));
    const data = spamData(tokenizerFromJSON(pretrained.header.tokenizer));
    const examples = [...data.encoded.values()];
    return {
      lesson: 13,
      name: "fine-tuning all weights, spam",
      async train(steps, shards, onStep) {
        const model = spamClassifier("full", pretrained);
        const settings = shortRun(spamTraining("full", examples.length), steps, shards);
        await fineTuneSpam(model, examples, settings, () => 0, onStep);
        model.dispose();
      },
    };
  },
];

/** ms per step of a run: the timed steps between 3 warm-up steps and the last (it validates). */
async function msPerStep(run: LessonRun, shards: number): Promise<number> {
  const times: number[] = [];
  await run.train(timedSteps + 4, shards, () => void times.push(performance.now()));
  return (times[times.length - 2] - times[2]) / (times.length - 4);
}

/** A kernel call: its name and time. */
type KernelCall = { name: string; ms: number };

/**
 * The kernel calls of a run of `steps` steps on this thread (copied: `tf.profile` gives the same
 * object every time).
 */
async function kernelCalls(run: LessonRun, steps: number): Promise<KernelCall[]> {
  const info = await tf.profile(() => run.train(steps, 1, () => {}));
  return info.kernels.map((k) => ({ name: k.name, ms: k.kernelTimeMs as number }));
}

/** The kernels of one step that take the most time: a run of 2 steps less a run of 1. */
function printProfile(two: KernelCall[], one: KernelCall[]): void {
  const byKernel = new Map<string, { calls: number; ms: number }>();
  for (const [calls, sign] of [[two, 1], [one, -1]] as const) {
    for (const k of calls) {
      const entry = byKernel.get(k.name) ?? { calls: 0, ms: 0 };
      entry.calls += sign;
      entry.ms += sign * k.ms;
      byKernel.set(k.name, entry);
    }
  }
  const rows = [...byKernel].filter(([, e]) => e.calls > 0).sort((a, b) => b[1].ms - a[1].ms);
  for (const [name, { calls, ms }] of rows.slice(0, 10)) {
    console.log(
      `      ${name.padEnd(24)} ${String(calls).padStart(5)} calls ${ms.toFixed(1).padStart(7)} ms`,
    );
  }
}

console.log(
  `training steps (wasm; ${timedSteps} timed steps a row; kernel calls per step on one thread), ` +
    `with attention and cross-entropy by their formulas and by their kernels ` +
    `(each recipe's fusedKernels says which way its checkpoint was trained):`,
);
console.log(
  `  ${"lesson".padEnd(44)} ${"way".padEnd(9)} ${"1 thread".padStart(11)} ${
    "2 threads".padStart(11)
  } ${"kernels".padStart(8)}`,
);
for (const make of lessons) {
  const run = await make();
  if (only !== undefined && !only.includes(run.lesson)) continue;
  for (const fused of [false, true]) {
    useFusedKernels(fused);
    const one = await kernelCalls(run, 1);
    const three = await kernelCalls(run, 3);
    const perStep = (three.length - one.length) / 2;
    const [single, double] = [await msPerStep(run, 1), await msPerStep(run, 2)];
    console.log(
      `  ${fused ? "" : `${run.lesson} · ${run.name}`.padEnd(44)}${fused ? " ".repeat(44) : ""} ${
        (fused ? "kernels" : "formulas").padEnd(9)
      } ${single.toFixed(1).padStart(8)} ms ${double.toFixed(1).padStart(8)} ms ${
        String(perStep).padStart(8)
      }`,
    );
    if (Deno.args.includes("--profile")) printProfile(await kernelCalls(run, 2), one);
  }
  useFusedKernels(false);
}

/**
 * PyTorch's step of lesson 7's model (`pytorch/moby_gpt.py`) on `threads` threads, where a Python
 * with torch is found.
 */
async function pytorchStep(threads: number): Promise<string> {
  for (const python of ["/usr/bin/python3", "python3"]) {
    try {
      const { code, stdout } = await new Deno.Command(python, {
        args: [
          new URL("../pytorch/moby_gpt.py", import.meta.url).pathname,
          "--steps",
          String(timedSteps + 10),
          "--threads",
          String(threads),
        ],
        stdout: "piped",
        stderr: "null",
      }).output();
      const text = new TextDecoder().decode(stdout);
      const ms = text.match(/\(([\d.]+) ms\/step without the validation/);
      if (code === 0 && ms) return `${ms[1]} ms/step (${python}, ${text.split(",")[0]})`;
    } catch {
      // this Python is not there: try the next
    }
  }
  return "no Python with torch found (see pytorch/README.md)";
}

if (!Deno.args.includes("--no-pytorch")) {
  for (const threads of [1, 2]) {
    console.log(
      `PyTorch, lesson 7's model (untied head), ${threads} thread(s): ${await pytorchStep(
        threads,
      )}`,
    );
  }
}

/** ms and GFLOP/s of `run`, over 20 calls after one. */
function gflops(label: string, flops: number, run: () => tf.Tensor): string {
  tf.tidy(() => void run().dataSync());
  const repeats = 20;
  const started = performance.now();
  for (let i = 0; i < repeats; i++) tf.tidy(() => void run().dataSync());
  const ms = (performance.now() - started) / repeats;
  return `  ${label.padEnd(34)} ${ms.toFixed(2).padStart(7)} ms  ${
    (flops / ms / 1e6).toFixed(1).padStart(6)
  } GFLOP/s`;
}

if (!Deno.args.includes("--no-products")) {
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
    gflops(
      "batched Q·Kᵀ [12,4,64,32]",
      2 * 48 * 64 * 64 * 32,
      () => tf.matMul(qb, kb, false, true),
    ),
  );
  tf.dispose([a, b, aT, bT, qb, kb]);
}
