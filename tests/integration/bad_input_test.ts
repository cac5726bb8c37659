/**
 * A property test of the public API (issue 22): every constructor and function of `src/` that
 * takes numbers is fed bad values — NaN, ±Infinity, negatives, fractions, huge numbers, and the
 * wrong types JSON can bring — in each of its numeric settings. Each call either works (and
 * what it makes holds finite numbers) or throws an error that names the setting; either way it
 * leaves `tf.memory().numTensors` as it found it. Never a NaN model, never a TensorFlow.js stack.
 */
import * as tf from "@tensorflow/tfjs";
import { assert } from "../assert.ts";
import {
  AdamW,
  argmax,
  beamSearch,
  BpeTokenizer,
  ByteBpeTokenizer,
  causalMask,
  CharTokenizer,
  checkTrainingSettings,
  clipByGlobalNorm,
  clipScale,
  crossEntropy,
  Embedding,
  EncoderDecoder,
  EncoderOnly,
  FeedForward,
  fixedBatches,
  generate,
  GPT,
  greedyDecode,
  holdOutEveryNth,
  initCourse,
  LayerNorm,
  layerNorm,
  LearnedPositions,
  learningRateAt,
  lengthBucketedBatches,
  Linear,
  maskTokens,
  mlmBatch,
  MultiHeadAttention,
  nextTokenDistribution,
  paddingMask,
  padRows,
  pickNext,
  Random,
  sampleBatch,
  sampleIndex,
  seq2seqBatch,
  sinusoidalEncoding,
  sinusoidalFrequencies,
  sinusoidalShift,
  splitText,
  trainLanguageModel,
  trainStep,
  TransformerBlock,
  withSteps,
  WordPieceTokenizer,
  WordTokenizer,
} from "../../src/mod.ts";

await initCourse();

/** Values no numeric setting should take silently: each is either used sensibly or refused. */
const BAD: readonly unknown[] = [
  NaN,
  Infinity,
  -Infinity,
  -1,
  -0.5,
  0,
  0.5,
  2.7,
  1e12,
  2 ** 53,
  1e308,
  "3",
  "",
  null,
  true,
  [],
  {},
];

/** Huge values, for settings where a huge value is valid but takes ages (a count of steps). */
const HUGE = new Set<unknown>([1e12, 2 ** 53, 1e308, Infinity]);

/** Messages of errors thrown from inside TensorFlow.js or the JavaScript engine, not by us. */
const FOREIGN = new RegExp(
  [
    "Operands could not be broadcast",
    "GatherV2",
    "requires shape",
    "Invalid (typed )?array length",
    "Array buffer allocation",
    "Cannot read prop",
    "is not a function",
    "is not iterable",
    "Maximum call stack",
    "must be int32 tensor",
    "Argument '",
  ].join("|"),
);

/** Throw unless every number in `result` (a tensor, a number, or arrays of them) is finite. */
function requireFinite(result: unknown, where: string): void {
  if (result instanceof tf.Tensor) {
    const values = result.dataSync();
    assert(values.every(Number.isFinite), `${where}: a tensor with non-finite numbers`);
  } else if (typeof result === "number") {
    assert(Number.isFinite(result), `${where}: the result is ${result}`);
  } else if (Array.isArray(result) || ArrayBuffer.isView(result)) {
    for (const x of Array.from(result as ArrayLike<unknown>)) requireFinite(x, where);
  }
}

/** One numeric setting of one function: `run(value)` calls it with `value` in that setting. */
interface Case {
  /** What is called, for messages. */
  what: string;
  /** The setting's name, which an error about it must mention. */
  name: string;
  /** Call with `value`; return what to check for finite numbers (tensors are disposed after). */
  run: (value: unknown) => unknown;
  /** Skip huge values: valid there, but a very long run. */
  slowWhenHuge?: true;
}

/** Each case with each bad value: works with finite results, or throws a clear error; no leaks. */
async function check(cases: readonly Case[]): Promise<void> {
  const problems: string[] = [];
  for (const c of cases) {
    for (const value of BAD) {
      if (c.slowWhenHuge && HUGE.has(value)) continue;
      const shown = typeof value === "number" ? String(value) : JSON.stringify(value);
      const where = `${c.what} with ${c.name} = ${shown}`;
      const before = tf.memory().numTensors;
      try {
        const result = await c.run(value);
        requireFinite(result, where);
        tf.dispose(result as tf.TensorContainer);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (message.includes(": a tensor with non-finite") || message.includes(": the result is")) {
          problems.push(message);
        } else if (!message.includes(c.name) || FOREIGN.test(message)) {
          problems.push(`${where}: unclear error "${message}"`);
        }
      }
      const left = tf.memory().numTensors - before;
      if (left !== 0) problems.push(`${where}: left ${left} tensors behind`);
    }
  }
  assert(problems.length === 0, `${problems.length} problems:\n${problems.join("\n")}`);
}

/** Cases that set `key` of `base` for each key: `make(config)` builds and uses the thing. */
function configCases<T extends object>(
  what: string,
  base: T,
  keys: readonly string[],
  make: (config: T) => unknown,
): Case[] {
  return keys.map((name) => ({ what, name, run: (v) => make({ ...base, [name]: v }) }));
}

const ids = (rows: number[][]) => tf.tensor2d(rows, undefined, "int32");

/** Build a model, run `use` on it, free it; returns what `use` returned, read as numbers. */
function using<M extends { dispose(): void }>(model: M, use: (m: M) => tf.Tensor): number[] {
  try {
    return tf.tidy(() => Array.from(use(model).dataSync()));
  } finally {
    model.dispose();
  }
}

const GPT_BASE = { vocabSize: 12, contextLength: 8, dModel: 8, numHeads: 2, numLayers: 1 };
const SEQ_BASE = {
  sourceVocabSize: 10,
  targetVocabSize: 12,
  maxLength: 6,
  dModel: 8,
  numHeads: 2,
  encoderLayers: 1,
  decoderLayers: 1,
};
const MLM_BASE = { vocabSize: 12, maxLength: 6, dModel: 8, numHeads: 2, numLayers: 1 };

Deno.test("bad numbers in model and layer settings: a working model or a clear error", async () => {
  const x = ids([[0, 1, 2]]);
  await check([
    ...configCases("GPT", GPT_BASE, [
      "vocabSize",
      "contextLength",
      "dModel",
      "numHeads",
      "numLayers",
      "dFF",
      "initStd",
      "tieWeights",
      "activation",
    ], (config) => using(new GPT(config), (m) => m.forward(x))),
    ...configCases("EncoderDecoder", SEQ_BASE, [
      "sourceVocabSize",
      "targetVocabSize",
      "maxLength",
      "dModel",
      "numHeads",
      "encoderLayers",
      "decoderLayers",
      "dFF",
      "padId",
      "initStd",
      "norm",
      "activation",
    ], (config) => using(new EncoderDecoder(config), (m) => m.forward(x, x))),
    ...configCases("EncoderOnly", MLM_BASE, [
      "vocabSize",
      "maxLength",
      "dModel",
      "numHeads",
      "numLayers",
      "dFF",
      "padId",
      "initStd",
    ], (config) => using(new EncoderOnly(config), (m) => m.encode(x))),
    ...configCases("TransformerBlock", { dModel: 8, numHeads: 2 }, [
      "dModel",
      "numHeads",
      "dFF",
      "initStd",
      "norm",
      "normPlacement",
      "feedForward",
      "crossAttention",
    ], (config) => new TransformerBlock(config).dispose()),
    ...configCases(
      "TransformerBlock with cross-attention",
      {
        dModel: 8,
        numHeads: 2,
        crossAttention: true,
      },
      ["dModel", "numHeads", "dFF", "initStd"],
      (config) => new TransformerBlock(config).dispose(),
    ),
    ...["vocabSize", "dim", "initStd"].map((name): Case => ({
      what: "Embedding",
      name,
      run: (v) => {
        const a = { vocabSize: 5, dim: 4, initStd: 0.02, [name]: v };
        return using(
          new Embedding(a.vocabSize, a.dim, { initStd: a.initStd }),
          (e) => e.apply([0]),
        );
      },
    })),
    {
      what: "Embedding.apply",
      name: "token id",
      run: (v) => using(new Embedding(5, 4), (e) => e.apply([v as number])),
    },
    ...["inFeatures", "outFeatures", "initStd"].map((name): Case => ({
      what: "Linear",
      name,
      run: (v) => {
        const a = { inFeatures: 4, outFeatures: 3, initStd: 0.02, [name]: v };
        return using(
          new Linear(a.inFeatures, a.outFeatures, { initStd: a.initStd }),
          (l) => l.apply(tf.ones([2, a.inFeatures])),
        );
      },
    })),
    ...["dim", "epsilon"].map((name): Case => ({
      what: "LayerNorm",
      name,
      run: (v) => {
        const a = { dim: 4, epsilon: 1e-5, [name]: v };
        return using(new LayerNorm(a.dim, a.epsilon), (l) => l.apply(tf.ones([2, a.dim])));
      },
    })),
    {
      what: "layerNorm",
      name: "epsilon",
      run: (v) =>
        tf.tidy(() => layerNorm(tf.ones([2, 4]), tf.ones([4]), tf.zeros([4]), v as number)),
    },
    ...["dModel", "numHeads"].map((name): Case => ({
      what: "MultiHeadAttention",
      name,
      run: (v) => {
        const a = { dModel: 8, numHeads: 2, [name]: v };
        new MultiHeadAttention(a.dModel, a.numHeads).dispose();
      },
    })),
    ...["dModel", "dFF"].map((name): Case => ({
      what: "FeedForward",
      name,
      run: (v) => {
        const a = { dModel: 8, dFF: 16, [name]: v };
        new FeedForward(a.dModel, a.dFF).dispose();
      },
    })),
    ...["maxLength", "dim"].map((name): Case => ({
      what: "LearnedPositions",
      name,
      run: (v) => {
        const a = { maxLength: 6, dim: 4, [name]: v };
        return using(new LearnedPositions(a.maxLength, a.dim), (p) => p.apply(3));
      },
    })),
    {
      what: "LearnedPositions.apply",
      name: "sequence length",
      run: (v) => using(new LearnedPositions(6, 4), (p) => p.apply(v as number)),
    },
  ]);
  x.dispose();
});

Deno.test("bad numbers in attention, positions, masks and the loss: a clear error", async () => {
  await check([
    { what: "causalMask", name: "length", run: (v) => causalMask(v as number) },
    { what: "causalMask", name: "past", run: (v) => causalMask(2, v as number) },
    { what: "causalMask", name: "length", run: (v) => causalMask(v as number, 1) },
    { what: "paddingMask", name: "padId", run: (v) => paddingMask([[0, 1]], v as number) },
    { what: "paddingMask", name: "token id", run: (v) => paddingMask([[0, v as number]], 0) },
    { what: "sinusoidalFrequencies", name: "dim", run: (v) => sinusoidalFrequencies(v as number) },
    {
      what: "sinusoidalFrequencies",
      name: "base",
      run: (v) => sinusoidalFrequencies(4, v as number),
    },
    { what: "sinusoidalEncoding", name: "length", run: (v) => sinusoidalEncoding(v as number, 4) },
    { what: "sinusoidalShift", name: "k", run: (v) => sinusoidalShift(v as number, 4) },
    ...["labelSmoothing", "ignoreId"].map((name): Case => ({
      what: "crossEntropy",
      name,
      run: (v) =>
        tf.tidy(() => crossEntropy(tf.zeros([2, 3]), tf.tensor1d([0, 1], "int32"), { [name]: v })),
    })),
    {
      what: "crossEntropy",
      name: "target", // a tensor holds numbers only, and int32 ones whole numbers
      run: (v) =>
        typeof v === "number" && Number.isInteger(v) &&
        tf.tidy(() => crossEntropy(tf.zeros([1, 3]), tf.tensor1d([v], "int32"))),
    },
  ]);
});

Deno.test("bad numbers in sampling, generation and decoding: a clear error", async () => {
  const gpt = new GPT(GPT_BASE);
  const seq = new EncoderDecoder(SEQ_BASE);
  const random = new Random(1);
  const decoding = { startId: 1, endId: 2, maxLength: 2 };
  await check([
    ...["temperature", "topK", "topP", "minP"].flatMap((name): Case[] => [
      {
        what: "nextTokenDistribution",
        name,
        run: (v) => nextTokenDistribution([1, 2, 3], { [name]: v }),
      },
      {
        what: "pickNext",
        name,
        run: (v) => pickNext([1, 2, 3], { temperature: 0, [name]: v }, random),
      },
      { what: "generate", name, run: (v) => generate(gpt, [1], { maxNewTokens: 2, [name]: v }) },
    ]),
    { what: "argmax", name: "value", run: (v) => argmax([1, v as number]) },
    {
      what: "sampleIndex",
      name: "probability",
      run: (v) => sampleIndex([v as number, 0.5], random),
    },
    {
      what: "generate",
      name: "maxNewTokens",
      run: (v) => generate(gpt, [1], { maxNewTokens: v as number, temperature: 0 }),
      slowWhenHuge: true,
    },
    {
      what: "generate",
      name: "stopId",
      run: (v) => generate(gpt, [1], { maxNewTokens: 2, stopId: v as number }),
    },
    {
      what: "generate",
      name: "prompt token",
      run: (v) => generate(gpt, [1, v as number], { maxNewTokens: 1 }),
    },
    ...["startId", "endId", "maxLength"].map((name): Case => ({
      what: "greedyDecode",
      name,
      run: (v) => greedyDecode(seq, [[3, 4]], { ...decoding, [name]: v }),
    })),
    {
      what: "greedyDecode",
      name: "token",
      run: (v) => greedyDecode(seq, [[3, v as number]], decoding),
    },
    ...["beamWidth", "lengthPenalty"].map((name): Case => ({
      what: "beamSearch",
      name,
      run: (v) => beamSearch(seq, [3, 4], { ...decoding, beamWidth: 2, [name]: v }),
    })),
  ]);
  gpt.dispose();
  seq.dispose();
});

Deno.test("bad numbers in batches, the optimizer, the schedule and training settings: a clear error", async () => {
  const tokens = Int32Array.from({ length: 100 }, (_, i) => i % 12);
  const random = new Random(2);
  const recipe = {
    steps: 2,
    batchSize: 2,
    evalEvery: 1,
    evalBatches: 1,
    clipNorm: 1,
    shards: 1,
    schedule: { max: 1e-3, min: 1e-4, warmup: 1, total: 2 },
    optimizer: { beta1: 0.9, beta2: 0.99, epsilon: 1e-8, weightDecay: 0.1 },
  };
  const gpt = new GPT(GPT_BASE);
  const step = (learningRate: unknown, clipNorm: unknown) => {
    const optimizer = new AdamW(gpt.parameters());
    const x = ids([[0, 1, 2]]);
    try {
      return trainStep(() => gpt.loss(x, x), optimizer, {
        learningRate: learningRate as number,
        clipNorm: clipNorm as number,
      }).loss;
    } finally {
      x.dispose();
    }
  };
  const ones = tf.ones([2]);
  const masking = { maskId: 4, vocabSize: 12, specialIds: new Set([0, 4]), random };
  await check([
    {
      what: "sampleBatch",
      name: "batchSize",
      run: (v) => sampleBatch(tokens, v as number, 4, random),
    },
    {
      what: "sampleBatch",
      name: "contextLength",
      run: (v) => sampleBatch(tokens, 2, v as number, random),
    },
    ...["batches", "batchSize", "contextLength", "seed"].map((name): Case => ({
      what: "fixedBatches",
      name,
      run: (v) => fixedBatches(tokens, { batches: 2, batchSize: 2, contextLength: 4, [name]: v }),
    })),
    ...["beta1", "beta2", "epsilon", "weightDecay"].map((name): Case => ({
      what: "AdamW",
      name,
      run: (v) => new AdamW(gpt.parameters(), { [name]: v }).step,
    })),
    { what: "trainStep", name: "learningRate", run: (v) => step(v, 1) },
    { what: "trainStep", name: "clipNorm", run: (v) => step(1e-3, v) },
    { what: "clipScale", name: "maxNorm", run: (v) => clipScale(3, v as number) },
    { what: "clipScale", name: "gradient norm", run: (v) => clipScale(v as number, 1) },
    {
      what: "clipByGlobalNorm",
      name: "maxNorm",
      run: (v) => clipByGlobalNorm({ w: ones }, v as number).gradients.w,
    },
    ...["max", "min", "warmup", "total"].map((name): Case => ({
      what: "learningRateAt",
      name: `schedule.${name}`,
      run: (v) => learningRateAt(1, { ...recipe.schedule, [name]: v }),
    })),
    {
      what: "learningRateAt",
      name: "step",
      run: (v) => learningRateAt(v as number, recipe.schedule),
    },
    { what: "withSteps", name: "steps", run: (v) => withSteps(recipe, v as number).steps },
    ...["steps", "batchSize", "evalEvery", "evalBatches", "clipNorm", "shards"].map((
      name,
    ): Case => ({
      what: "checkTrainingSettings",
      name: `settings.${name}`,
      run: (v) => checkTrainingSettings({ ...recipe, [name]: v }),
    })),
    ...["beta1", "epsilon"].map((name): Case => ({
      what: "checkTrainingSettings",
      name: `AdamW ${name}`,
      run: (v) => checkTrainingSettings({ ...recipe, optimizer: { [name]: v } }),
    })),
    {
      what: "trainLanguageModel",
      name: "batchSize",
      run: (v) =>
        trainLanguageModel(gpt, tokens, tokens, { ...recipe, batchSize: v as number }, random).then(
          (r) => r.finalVal,
        ),
    },
    {
      what: "lengthBucketedBatches",
      name: "batchSize",
      run: (v) => lengthBucketedBatches([{ source: [1], target: [2] }], v as number, random).length,
    },
    {
      what: "lengthBucketedBatches",
      name: "poolBatches",
      run: (v) =>
        lengthBucketedBatches([{ source: [1], target: [2] }], 2, random, v as number).length,
    },
    ...["padId", "startId", "endId"].map((name): Case => ({
      what: "seq2seqBatch",
      name,
      run: (v) => {
        const b = seq2seqBatch([{ source: [3], target: [4] }], {
          padId: 0,
          startId: 1,
          endId: 2,
          [name]: v,
        });
        return [b.source, b.targetIn, b.targetOut];
      },
    })),
    { what: "padRows", name: "padId", run: (v) => padRows([[1], [1, 2]], v as number) },
    { what: "padRows", name: "token id", run: (v) => padRows([[v as number]], 0) },
    ...["maskId", "vocabSize", "rate"].map((name): Case => ({
      what: "maskTokens",
      name,
      run: (v) => maskTokens([1, 2, 3], { ...masking, [name]: v }).input,
    })),
    ...["mask", "random"].map((name): Case => ({
      what: "maskTokens",
      name: `mix.${name}`,
      run: (v) =>
        maskTokens([1, 2, 3], { ...masking, mix: { mask: 0.5, random: 0.2, [name]: v } }).input,
    })),
    {
      what: "mlmBatch",
      name: "padId",
      run: (v) => {
        const b = mlmBatch([maskTokens([1, 2, 3], masking)], v as number);
        return [b.ids, b.positions, b.labels];
      },
    },
  ]);
  gpt.dispose();
  ones.dispose();
});

Deno.test("bad numbers in tokenizers, random numbers and splits: a clear error", async () => {
  const text = "the cat sat on the mat; the cat ran. ".repeat(30);
  const chars = CharTokenizer.train(text);
  const gpt2 = await ByteBpeTokenizer.gpt2();
  await check([
    {
      what: "BpeTokenizer.train",
      name: "vocabSize",
      run: (v) => BpeTokenizer.train(text, v as number).vocabSize,
    },
    {
      what: "ByteBpeTokenizer.train",
      name: "vocabSize",
      run: (v) => ByteBpeTokenizer.train(text, v as number).vocabSize,
    },
    {
      what: "WordPieceTokenizer.train",
      name: "vocabSize",
      run: (v) => WordPieceTokenizer.train(text, v as number).vocabSize,
    },
    {
      what: "WordPieceTokenizer.train",
      name: "minCount",
      run: (v) => WordPieceTokenizer.train(text, 60, { minCount: v as number }).vocabSize,
    },
    {
      what: "WordTokenizer.train",
      name: "minCount",
      run: (v) => WordTokenizer.train(text, { minCount: v as number }).vocabSize,
    },
    {
      what: "WordTokenizer.train",
      name: "maxWords",
      run: (v) => WordTokenizer.train(text, { maxWords: v as number }).vocabSize,
    },
    { what: "decode", name: "id", run: (v) => chars.decode([1, v as number]).length },
    { what: "decode (GPT-2)", name: "id", run: (v) => gpt2.decode([v as number]).length },
    { what: "tokenText", name: "id", run: (v) => chars.tokenText(v as number).length },
    { what: "Random", name: "seed", run: (v) => new Random(v as number).next() },
    { what: "Random.int", name: "n", run: (v) => new Random(1).int(v as number) },
    { what: "splitText", name: "fraction", run: (v) => splitText(text, v as number).train.length },
    {
      what: "holdOutEveryNth",
      name: "n",
      run: (v) => holdOutEveryNth([1, 2, 3], v as number).train.length,
    },
  ]);
});
