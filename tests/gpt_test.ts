import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "./assert.ts";
import {
  AdamW,
  argmax,
  CharTokenizer,
  checkCheckpointConfig,
  clipByGlobalNorm,
  crossEntropy,
  generate,
  GPT,
  type GPTConfig,
  initCourse,
  learningRateAt,
  mobyDick,
  nextTokenDistribution,
  Random,
  readCheckpoint,
  restoreWeights,
  sampleBatch,
  saveCheckpoint,
  setSeed,
  tokenizerFromJSON,
  trainStep,
  withSteps,
} from "../src/mod.ts";

await initCourse();

const TINY: GPTConfig = { vocabSize: 12, contextLength: 16, dModel: 32, numHeads: 4, numLayers: 2 };

/** Train `model` on `tokens` for `steps` steps; returns the losses. */
function train(model: GPT, tokens: Int32Array, steps: number, lr = 3e-3, seed = 0): number[] {
  const optimizer = new AdamW(model.parameters(), { weightDecay: 0 });
  const random = new Random(seed);
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const batch = sampleBatch(tokens, 8, model.config.contextLength, random);
    losses.push(
      trainStep(() => model.loss(batch.x, batch.y), optimizer, { learningRate: lr, clipNorm: 1 })
        .loss,
    );
    tf.dispose([batch.x, batch.y]);
  }
  optimizer.dispose();
  return losses;
}

Deno.test("an untrained GPT's loss is about ln(vocabulary size)", () => {
  setSeed(1);
  const model = new GPT({ ...TINY, vocabSize: 81 });
  const loss = tf.tidy(() => {
    const random = new Random(3);
    const ids = Int32Array.from({ length: 2000 }, () => random.int(81));
    const batch = sampleBatch(ids, 8, 16, random);
    return model.loss(batch.x, batch.y).dataSync()[0];
  });
  assertAlmostEquals(loss, Math.log(81), 0.05);
  model.dispose();
});

Deno.test("cross-entropy: hand-computed value, and ignored targets are left out", () => {
  const [plain, ignoring] = tf.tidy(() => {
    const logits = tf.tensor2d([[2, 1, 0], [0, 0, 0]]);
    const targets = tf.tensor1d([0, 2], "int32");
    return [
      crossEntropy(logits, targets).dataSync()[0],
      crossEntropy(logits, targets, { ignoreId: 2 }).dataSync()[0],
    ];
  });
  // −log softmax([2,1,0])[0] = −log 0.6652 = 0.4076; −log(1/3) = 1.0986
  assertAlmostEquals(plain, (0.40760596 + Math.log(3)) / 2, 1e-5);
  assertAlmostEquals(ignoring, 0.40760596, 1e-5);
});

Deno.test("GPT config errors name the bad value", () => {
  assertThrows(
    () => new GPT({ ...TINY, numHeads: 5 }),
    /dModel \(32\) must be divisible by numHeads \(5\)/,
  );
  assertThrows(
    () => new GPT({ ...TINY, numLayers: 0 }),
    /numLayers must be a positive integer, got 0/,
  );
  const model = new GPT(TINY);
  tf.tidy(() => {
    assertThrows(
      () => model.forward(tf.zeros([1, 17], "int32") as tf.Tensor2D),
      /17 tokens is longer than the context length 16/,
    );
    assertThrows(
      () => model.forward(tf.zeros([1, 4]) as tf.Tensor2D),
      /int32 tensor of shape \(B, T\), got float32/,
    );
  });
  model.dispose();
});

Deno.test("schedule: warm-up then cosine, hand-computed points", () => {
  const s = { max: 1e-3, min: 1e-4, warmup: 100, total: 2000 };
  assertAlmostEquals(learningRateAt(0, s), 1e-5, 1e-12);
  assertAlmostEquals(learningRateAt(99, s), 1e-3, 1e-12);
  assertAlmostEquals(learningRateAt(100, s), 1e-3, 1e-12);
  assertAlmostEquals(learningRateAt(1050, s), 5.5e-4, 1e-12); // halfway down the cosine
  assertAlmostEquals(learningRateAt(2000, s), 1e-4, 1e-12);
});

Deno.test("schedule: linear decay, hand-computed points", () => {
  const s = { max: 1e-3, min: 1e-4, warmup: 100, total: 2000, decay: "linear" as const };
  assertAlmostEquals(learningRateAt(99, s), 1e-3, 1e-12);
  assertAlmostEquals(learningRateAt(575, s), 7.75e-4, 1e-12); // a quarter of the way down
  assertAlmostEquals(learningRateAt(1050, s), 5.5e-4, 1e-12); // halfway, as the cosine
  assertAlmostEquals(learningRateAt(1525, s), 3.25e-4, 1e-12); // the cosine is at ~2.3e-4 here
  assertAlmostEquals(learningRateAt(2000, s), 1e-4, 1e-12);
  assertThrows(
    () => learningRateAt(500, { ...s, decay: "step" as "linear" }),
    /decay must be "cosine" or "linear", got "step"/,
  );
});

Deno.test("withSteps: the recipe at another length, its schedule stretched to match", () => {
  const recipe = {
    steps: 2000,
    batchSize: 12,
    schedule: { max: 1e-3, min: 1e-4, warmup: 100, total: 2000 },
  };
  const short = withSteps(recipe, 30);
  assertEquals(short, { ...recipe, steps: 30, schedule: { ...recipe.schedule, total: 30 } });
  assertEquals(recipe.steps, 2000, "the recipe itself is left as it was");
  for (const bad of [0, -3, 2.5, NaN]) {
    assertThrows(() => withSteps(recipe, bad), /steps must be a whole number ≥ 1/);
  }
});

Deno.test("AdamW: one step by the formula; weight decay only on matrices", () => {
  const matrix = tf.variable(tf.tensor2d([[1, -2]]));
  const vector = tf.variable(tf.tensor1d([1, -2]));
  const optimizer = new AdamW(new Map<string, tf.Variable>([["m", matrix], ["v", vector]]), {
    weightDecay: 0.5,
  });
  tf.tidy(() =>
    optimizer.apply({ m: tf.tensor2d([[0.1, 0.3]]), v: tf.tensor1d([0.1, 0.3]) }, 0.01)
  );
  // Step 1: m̂ = g, v̂ = g², so the Adam part is g/(|g| + ε) ≈ sign(g) = ±1.
  const m = matrix.dataSync(), v = vector.dataSync();
  assertAlmostEquals(m[0], 1 - 0.01 * (1 + 0.5 * 1), 1e-6);
  assertAlmostEquals(m[1], -2 - 0.01 * (1 + 0.5 * -2), 1e-6);
  assertAlmostEquals(v[0], 1 - 0.01, 1e-6);
  assertAlmostEquals(v[1], -2 - 0.01, 1e-6);
  optimizer.dispose();
  tf.dispose([matrix, vector]);
});

Deno.test("AdamW: four steps, with a gradient scale, follow the formula computed in float64", () => {
  const start = { w: [0.5, -1, 2, 0.25, -0.75, 1.5], b: [0.1, -0.2, 0.3] };
  const w = tf.tidy(() => tf.variable(tf.tensor2d(start.w, [2, 3])));
  const b = tf.tidy(() => tf.variable(tf.tensor1d(start.b)));
  const [beta1, beta2, epsilon, lambda, lr] = [0.9, 0.98, 1e-8, 0.1, 0.01];
  const optimizer = new AdamW(new Map<string, tf.Variable>([["w", w], ["b", b]]), {
    beta1,
    beta2,
    epsilon,
    weightDecay: lambda,
  });
  const gradientAt = (t: number, i: number) => Math.sin(3 * t + i) * (i + 1);
  const scales = [1, 0.5, 1, 0.25];
  // The reference: the module's formula, number by number, in float64.
  const reference = { w: [...start.w], b: [...start.b] };
  const moments = { w: start.w.map(() => [0, 0]), b: start.b.map(() => [0, 0]) };
  for (let t = 1; t <= 4; t++) {
    const grads = {
      w: start.w.map((_, i) => gradientAt(t, i)),
      b: start.b.map((_, i) => gradientAt(t, i + 6)),
    };
    optimizer.apply(
      { w: Float32Array.from(grads.w), b: Float32Array.from(grads.b) },
      lr,
      scales[t - 1],
    );
    for (const name of ["w", "b"] as const) {
      reference[name] = reference[name].map((p, i) => {
        const g = Math.fround(grads[name][i]) * scales[t - 1];
        const mv = moments[name][i];
        mv[0] = beta1 * mv[0] + (1 - beta1) * g;
        mv[1] = beta2 * mv[1] + (1 - beta2) * g * g;
        const adam = mv[0] / (1 - beta1 ** t) / (Math.sqrt(mv[1] / (1 - beta2 ** t)) + epsilon);
        return p - lr * (adam + (name === "w" ? lambda * p : 0));
      });
    }
  }
  Array.from(w.dataSync()).forEach((v, i) => assertAlmostEquals(v, reference.w[i], 2e-6));
  Array.from(b.dataSync()).forEach((v, i) => assertAlmostEquals(v, reference.b[i], 2e-6));
  tf.dispose([w, b]);
});

Deno.test("clipping by global norm: √(3² + 4²) = 5 scaled to 1", () => {
  const { values, norm } = tf.tidy(() => {
    const c = clipByGlobalNorm({ a: tf.tensor1d([3]), b: tf.tensor1d([4]) }, 1);
    return {
      values: [c.gradients.a.dataSync()[0], c.gradients.b.dataSync()[0]],
      norm: c.norm,
    };
  });
  assertAlmostEquals(norm, 5, 1e-5);
  assertAlmostEquals(values[0], 0.6, 1e-5);
  assertAlmostEquals(values[1], 0.8, 1e-5);
});

Deno.test("tf.memory().numTensors stays flat over 1,000 training steps", () => {
  setSeed(2);
  const model = new GPT({ ...TINY, numLayers: 1, dModel: 16, numHeads: 2, contextLength: 8 });
  const tokens = Int32Array.from({ length: 500 }, (_, i) => (i * 7) % 12);
  const optimizer = new AdamW(model.parameters());
  const random = new Random(0);
  const step = () => {
    const batch = sampleBatch(tokens, 4, 8, random);
    trainStep(() => model.loss(batch.x, batch.y), optimizer, { learningRate: 1e-3, clipNorm: 1 });
    tf.dispose([batch.x, batch.y]);
  };
  step();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 1000; i++) step();
  assertEquals(tf.memory().numTensors, before);
  optimizer.dispose();
  model.dispose();
});

Deno.test("the same seed gives the same losses", () => {
  const tokens = Int32Array.from({ length: 400 }, (_, i) => (i * i) % 12);
  const run = () => {
    setSeed(7);
    const model = new GPT(TINY);
    const losses = train(model, tokens, 15);
    model.dispose();
    return losses;
  };
  assertEquals(run(), run());
});

Deno.test("training on a 100-character text overfits: near-zero loss, and it recites the text", () => {
  const text = mobyDick().slice(0, 100);
  const tokenizer = CharTokenizer.train(text);
  const tokens = Int32Array.from(tokenizer.encode(text));
  setSeed(8);
  const model = new GPT({
    vocabSize: tokenizer.vocabSize,
    contextLength: 16,
    dModel: 64,
    numHeads: 4,
    numLayers: 2,
  });
  const losses = train(model, tokens, 300, 5e-3);
  const last = losses.slice(-20).reduce((a, b) => a + b) / 20;
  // Not exactly 0: a window's first characters have no context, so what follows them is ambiguous.
  assert(losses[0] > 3 && last < 0.25, `loss ${losses[0].toFixed(3)} → ${last.toFixed(3)}`);
  const prompt = tokenizer.encode(text.slice(40, 56));
  const recited = tokenizer.decode(generate(model, prompt, { maxNewTokens: 30, temperature: 0 }));
  assertEquals(recited, text.slice(56, 86));
  model.dispose();
});

Deno.test("checkpoint: save → load gives identical logits; tokenizer travels with it", async () => {
  setSeed(9);
  const tokenizer = CharTokenizer.train("abcdefghijk ");
  const model = new GPT(TINY);
  const path = await Deno.makeTempFile({ suffix: ".ckpt" });
  try {
    await saveCheckpoint(path, model, {
      kind: "gpt",
      config: model.config,
      tokenizer: tokenizer.toJSON(),
      metadata: { step: 3 },
    });
    const checkpoint = await readCheckpoint(path);
    checkCheckpointConfig(checkpoint, "gpt", model.config);
    setSeed(10);
    const copy = new GPT(TINY);
    restoreWeights(copy, checkpoint);
    const ids = tf.tensor2d([[1, 2, 3, 4, 5]], undefined, "int32");
    const [a, b] = [model.forward(ids), copy.forward(ids)];
    assertEquals(Array.from(a.dataSync()), Array.from(b.dataSync()));
    tf.dispose([ids, a, b]);
    assertEquals(
      tokenizerFromJSON(checkpoint.header.tokenizer).encode("hi"),
      tokenizer.encode("hi"),
    );
    assertEquals(checkpoint.header.metadata.step, 3);
    copy.dispose();
  } finally {
    await Deno.remove(path);
    model.dispose();
  }
});

Deno.test("checkpoint: mismatched config, truncated and corrupted files are reported", async () => {
  setSeed(11);
  const model = new GPT(TINY);
  const path = await Deno.makeTempFile({ suffix: ".ckpt" });
  try {
    await saveCheckpoint(path, model, { kind: "gpt", config: model.config });
    const checkpoint = await readCheckpoint(path);
    assertThrows(
      () => checkCheckpointConfig(checkpoint, "gpt", { ...model.config, dModel: 64 }),
      /config mismatch: checkpoint has dModel = 32, the model has 64/,
    );
    const bigger = new GPT({ ...TINY, dModel: 64 });
    assertThrows(
      () => restoreWeights(bigger, checkpoint),
      /checkpoint shape \[12,32\] does not match the model's \[12,64\]/,
    );
    bigger.dispose();
    const deeper = new GPT({ ...TINY, numLayers: 3 });
    assertThrows(() => restoreWeights(deeper, checkpoint), /no weights for parameter blocks\.2\./);
    deeper.dispose();
    const bytes = await Deno.readFile(path);
    await Deno.writeFile(path, bytes.subarray(0, bytes.length - 100));
    let message = "";
    await readCheckpoint(path).catch((e) => (message = e.message));
    assert(/truncated: expected \d+ bytes, found \d+/.test(message), message);
    const flipped = bytes.slice();
    flipped[bytes.length - 7] ^= 0xff;
    await Deno.writeFile(path, flipped);
    await readCheckpoint(path).catch((e) => (message = e.message));
    assert(/corrupted: checksum [0-9a-f]{8} does not match/.test(message), message);
  } finally {
    await Deno.remove(path);
    model.dispose();
  }
});

Deno.test("KV cache: cached logits equal uncached ones, and greedy tokens are identical", () => {
  setSeed(12);
  const model = new GPT(TINY);
  const gap = tf.tidy(() => {
    const ids = tf.tensor2d([[3, 1, 4, 1, 5, 9, 2, 6]], undefined, "int32");
    const full = model.forward(ids); // (1, 8, V)
    const cache = model.newCache();
    const first = model.forwardCached(ids.slice([0, 0], [1, 5]), cache); // prefill 5
    const rest = [5, 6, 7].map((t) => model.forwardCached(ids.slice([0, t], [1, 1]), cache));
    const cached = tf.concat([first, ...rest], 1);
    const difference = tf.max(tf.abs(cached.sub(full))).dataSync()[0];
    cache.clear();
    return difference;
  });
  assert(gap < 1e-5, `cached and uncached logits differ by ${gap}`);
  const before = tf.memory().numTensors;
  const prompt = [1, 2, 3];
  const withCache = generate(model, prompt, { maxNewTokens: 13, temperature: 0, cache: true });
  const without = generate(model, prompt, { maxNewTokens: 13, temperature: 0, cache: false });
  assertEquals(withCache, without);
  assertEquals(tf.memory().numTensors, before);
  model.dispose();
});

Deno.test("sampling: greedy, temperature, top-k, top-p; generation stops at the stop token", () => {
  const logits = [1, 3, 2, 0];
  assertEquals(argmax(logits), 1);
  assertEquals(Array.from(nextTokenDistribution(logits, { temperature: 0 })), [0, 1, 0, 0]);
  const topK = nextTokenDistribution(logits, { topK: 2 });
  assertEquals(topK.map((p) => (p > 0 ? 1 : 0)), Float64Array.from([0, 1, 1, 0]));
  assertAlmostEquals(topK[1], 1 / (1 + Math.exp(-1)), 1e-12);
  const topP = nextTokenDistribution(logits, { topP: 0.6 }); // p(1) ≈ 0.64 covers 0.6 alone
  assertEquals(Array.from(topP), [0, 1, 0, 0]);
  const flat = nextTokenDistribution(logits, { temperature: 100 });
  assert(Math.max(...flat) - Math.min(...flat) < 0.02);
  setSeed(13);
  const model = new GPT(TINY);
  const greedy = generate(model, [1], { maxNewTokens: 10, temperature: 0 });
  const stop = greedy[3];
  const stopped = generate(model, [1], { maxNewTokens: 10, temperature: 0, stopId: stop });
  assertEquals(stopped, greedy.slice(0, greedy.indexOf(stop) + 1));
  model.dispose();
});
