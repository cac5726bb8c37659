import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "../assert.ts";
import {
  CharTokenizer,
  type Checkpoint,
  type CheckpointValues,
  classificationBatch,
  decodeCheckpoint,
  type Email,
  encodeCheckpoint,
  type EncodedEmail,
  encodeEmails,
  FINE_TUNE_METHODS,
  type FineTuneMethod,
  fineTuneRun,
  GPT,
  type GPTClassifier,
  type GPTConfig,
  initCourse,
  LLAMA_STYLE,
  predictSpam,
  readSpamGrid,
  scoreSpam,
  setSeed,
  SPAM_CONTEXT,
  SPAM_POOLING,
  spamClassifier,
  type SpamData,
  type SpamGrid,
  type SpamRun,
  spamTraining,
  trainableParameters,
} from "../../src/mod.ts";
import { TINY } from "../fixtures.ts";

await initCourse();

const LLAMA_TINY: GPTConfig = { ...TINY, ...LLAMA_STYLE, numKVHeads: 2 };
const METHODS: FineTuneMethod[] = ["scratch", "full", "last-block", "lora"];

/** A tiny Llama-style GPT's weights, through the checkpoint format: the "pretrained" model. */
function tinyPretrained(metadata: Record<string, unknown> = {}): Checkpoint {
  setSeed(77); // not SPAM_SEED: a classifier from scratch must not start from these weights
  const gpt = new GPT(LLAMA_TINY);
  const values: CheckpointValues = new Map();
  for (const [name, variable] of gpt.parameters()) {
    values.set(name, { shape: variable.shape, data: Float32Array.from(variable.dataSync()) });
  }
  const checkpoint = decodeCheckpoint(
    encodeCheckpoint({ kind: "gpt", config: gpt.config, tokenizer: null, metadata }, values),
  );
  gpt.dispose();
  return checkpoint;
}

const PRETRAINED = tinyPretrained();

const email = (id: string, label: 0 | 1, text: string): Email => ({
  id,
  group: label === 1 ? "spam-1" : "easy-ham-1",
  label,
  text,
});

Deno.test("classificationBatch: ids padded on the right with 0 to the longest, each row's last position, its label", () => {
  const tensors = tf.memory().numTensors;
  const batch = classificationBatch([
    { ids: [5, 6, 7], label: 1 },
    { ids: [8], label: 0 },
    { ids: [1, 2, 3, 4, 9], label: 1 },
  ]);
  assertEquals(Object.keys(batch).sort(), ["ids", "label", "last"]);
  assertEquals(batch.ids.shape, [3, 5]);
  assertEquals(batch.last.shape, [3, 1]);
  assertEquals(batch.label.shape, [3, 1]);
  for (const t of Object.values(batch)) assertEquals(t.dtype, "int32");
  assertEquals(batch.ids.arraySync(), [[5, 6, 7, 0, 0], [8, 0, 0, 0, 0], [1, 2, 3, 4, 9]]);
  assertEquals(batch.last.arraySync(), [[2], [0], [4]]);
  assertEquals(batch.label.arraySync(), [[1], [0], [1]]);
  tf.dispose(Object.values(batch));
  const one = classificationBatch([{ ids: [3, 3], label: 0 }]); // nothing to pad
  assertEquals([one.ids.arraySync(), one.last.arraySync()], [[[3, 3]], [[1]]]);
  tf.dispose(Object.values(one));
  assertEquals(tf.memory().numTensors, tensors);
});

Deno.test("encodeEmails: the tokenizer's ids, the first SPAM_CONTEXT of them, and the label", () => {
  const long = "ab".repeat(100); // 200 characters
  const tokenizer = CharTokenizer.train("Subject: hi\n\nab");
  const encoded = encodeEmails(tokenizer, [
    email("00001", 1, long),
    email("00002", 0, "Subject: hi"),
  ]);
  assertEquals(SPAM_CONTEXT, 128);
  assertEquals(encoded[0].ids.length, SPAM_CONTEXT);
  assertEquals(encoded[0].ids, tokenizer.encode(long).slice(0, SPAM_CONTEXT));
  assertEquals(encoded[0].label, 1);
  assertEquals(encoded[1], { ids: tokenizer.encode("Subject: hi"), label: 0 });
  const short = encodeEmails(tokenizer, [email("00001", 1, long)], 7);
  assertEquals(short[0].ids, tokenizer.encode(long.slice(0, 7)));
  assertThrows(
    () => encodeEmails(tokenizer, [email("00003", 0, "")]),
    /email easy-ham-1\/00003 has no tokens/,
  );
});

Deno.test("spamTraining: 3 epochs of 16 (at least 100 steps), 10 % warm-up, each method's rate, 2 threads", () => {
  const cases: [number, number, number][] = [ // labelled emails, steps, warm-up
    [50, 100, 10],
    [200, 100, 10],
    [600, 113, 11], // 3 · 600 / 16 = 112.5, rounded up
    [5324, 998, 100], // every training email: 998.25 → 998; 99.8 → 100
  ];
  const peak = { scratch: 1e-3, full: 1e-3, "last-block": 2e-3, lora: 2e-3 };
  for (const method of METHODS) {
    for (const [examples, steps, warmup] of cases) {
      const s = spamTraining(method, examples);
      const what = `${method}, ${examples} emails`;
      assertEquals(s.steps, Math.max(100, Math.round((3 * examples) / 16)), what);
      assertEquals(s.steps, steps, what);
      assertEquals(s.batchSize, 16, what);
      assertEquals(s.schedule, {
        max: peak[method],
        min: peak[method] / 10,
        warmup,
        total: steps,
      }, what);
      assertEquals(s.shards, 2, what);
      assertEquals(s.clipNorm, 1, what);
      assertEquals(s.optimizer.weightDecay, method === "scratch" ? 0.1 : 0, what);
    }
  }
  assertEquals(FINE_TUNE_METHODS.map((m) => m.method), METHODS);
});

/** Each parameter's numbers, by name. */
const numbers = (params: Map<string, tf.Variable>) =>
  new Map([...params].map(([name, v]) => [name, Float32Array.from(v.dataSync())]));

const sameNumbers = (a: Float32Array, b: Float32Array) =>
  a.length === b.length && a.every((v, i) => v === b[i]);

Deno.test("spamClassifier: what each method trains, the pretrained weights restored, the pooling", () => {
  const lastBlock = `gpt.blocks.${LLAMA_TINY.numLayers - 1}.`;
  const trains: Record<FineTuneMethod, (name: string) => boolean> = {
    scratch: (n) => !n.startsWith("gpt.head."), // the GPT's LM head is never used, so frozen
    full: (n) => !n.startsWith("gpt.head."),
    "last-block": (n) =>
      n.startsWith(lastBlock) || n.startsWith("gpt.finalNorm.") || n.startsWith("head."),
    lora: (n) => n.includes(".adapter.") || n.startsWith("head."),
  };
  for (const method of METHODS) {
    const model = spamClassifier(method, PRETRAINED);
    try {
      assertEquals(model.config.pooling, SPAM_POOLING, method);
      const names = [...model.parameters().keys()];
      assertEquals(
        [...trainableParameters(model).keys()],
        names.filter(trains[method]),
        `${method}: the trainable parameters`,
      );
      const adapters = names.filter((n) => n.includes(".adapter."));
      // LoRA: A and B on W_Q, W_K, W_V and W_O of every block; the others have none.
      assertEquals(adapters.length, method === "lora" ? 2 * 4 * LLAMA_TINY.numLayers : 0, method);
      if (method === "last-block") {
        assert(
          names.some((n) => n.startsWith(lastBlock)) &&
            names.some((n) => n.startsWith("gpt.blocks.0.")),
        );
      }
      // The GPT's weights: the checkpoint's, except from scratch, where each matrix is drawn
      // afresh (the norms' gains start at 1 either way).
      const weights = numbers(model.gpt.parameters());
      for (const [name, stored] of PRETRAINED.values) {
        const same = sameNumbers(weights.get(name)!, stored.data);
        if (method !== "scratch") assert(same, `${method}: ${name} is not the checkpoint's`);
        else if (stored.shape.length >= 2) assert(!same, `scratch: ${name} is the checkpoint's`);
      }
      const extra = [...weights.keys()].filter((n) => !PRETRAINED.values.has(n));
      assertEquals(extra, adapters.map((n) => n.slice("gpt.".length)), method);
    } finally {
      model.dispose();
    }
  }
  const last = spamClassifier("full", PRETRAINED, "last");
  assertEquals(last.config.pooling, "last");
  last.dispose();
});

Deno.test("spamClassifier: seeded, and every pretrained method starts as the same classifier", () => {
  const x = tf.tensor2d([[1, 2, 3, 4], [5, 6, 0, 0]], undefined, "int32");
  const at = tf.tensor1d([3, 1], "int32");
  const logits = (model: GPTClassifier) => {
    try {
      return model.forward(x, at).arraySync();
    } finally {
      model.dispose();
    }
  };
  const full = logits(spamClassifier("full", PRETRAINED));
  assertEquals(logits(spamClassifier("full", PRETRAINED)), full); // the same seed, the same model
  // The head is drawn the same way for every method; LoRA's B starts at zero.
  for (const method of ["last-block", "lora"] as const) {
    const other = logits(spamClassifier(method, PRETRAINED));
    const gap = Math.max(...other.flat().map((v, i) => Math.abs(v - full.flat()[i])));
    assert(gap < 1e-5, `${method} starts ${gap} away from full fine-tuning`);
  }
  tf.dispose([x, at]);
});

Deno.test("predictSpam: one prediction per email, probabilities in [0, 1], the mean loss; frees what it made", () => {
  const model = spamClassifier("full", PRETRAINED);
  const examples: EncodedEmail[] = [
    { ids: [1, 2, 3], label: 1 },
    { ids: [4], label: 0 },
    { ids: [5, 6, 7, 8, 9, 10, 11], label: 1 },
    { ids: [2, 2], label: 0 },
    { ids: [3, 1, 4, 1, 5], label: 0 },
  ];
  const tensors = tf.memory().numTensors;
  const all = predictSpam(model, examples);
  assertEquals(tf.memory().numTensors, tensors);
  assertEquals(all.predicted.length, examples.length);
  assertEquals(all.spamProbability.length, examples.length);
  all.spamProbability.forEach((p, i) => {
    assert(p >= 0 && p <= 1, `probability ${p}`);
    assertEquals(all.predicted[i], p > 0.5 ? 1 : 0);
  });
  const byHand = examples.reduce(
    (sum, e, i) =>
      sum - Math.log(e.label === 1 ? all.spamProbability[i] : 1 - all.spamProbability[i]),
    0,
  ) / examples.length;
  assertAlmostEquals(all.loss, byHand, 1e-4);
  // In batches of 2 (the last one short): the same, as the padding changes nothing.
  const twos = predictSpam(model, examples, 2);
  assertEquals(tf.memory().numTensors, tensors);
  assertEquals(twos.predicted, all.predicted);
  twos.spamProbability.forEach((p, i) => assertAlmostEquals(p, all.spamProbability[i], 1e-5));
  assertAlmostEquals(twos.loss, all.loss, 1e-5);
  model.dispose();
});

Deno.test("scoreSpam: accuracy, precision, recall, F1 and the confusion matrix of a hand case", () => {
  // Actual: spam, spam, spam, ham, ham; predicted: spam, spam, ham, spam, ham.
  const test = [1, 1, 1, 0, 0].map((label, i) => email(`0000${i}`, label as 0 | 1, "x"));
  const data: SpamData = { train: [], test, encoded: new Map(), encodedTest: [] };
  const score = scoreSpam([1, 1, 0, 1, 0], data);
  // TP 2, FN 1, FP 1, TN 1.
  assertAlmostEquals(score.accuracy, 3 / 5, 1e-12);
  assertAlmostEquals(score.precision, 2 / 3, 1e-12);
  assertAlmostEquals(score.recall, 2 / 3, 1e-12);
  assertAlmostEquals(score.f1, 2 / 3, 1e-12);
  assertEquals(score.confusion, [[1, 1], [1, 2]]); // rows actual (ham, spam), columns predicted
  assertThrows(() => scoreSpam([1, 0], data), /2 predictions for 5 actual classes/);
});

Deno.test("readSpamGrid reads the grid file and names the fields a wrong one lacks", async () => {
  const path = await Deno.makeTempFile({ suffix: ".json" });
  try {
    const run: SpamRun = {
      method: "lora",
      pooling: "mean",
      pretrained: "deno task train:email_gpt",
      labels: 50,
      steps: 100,
      trainable: 28930,
      seconds: 12.5,
      accuracy: 0.9,
      precision: 0.8,
      recall: 0.7,
      f1: 0.75,
      confusion: [[300, 20], [40, 232]],
    };
    const grid: SpamGrid = {
      made: "deno task grid:spam_classifier",
      backend: "wasm",
      trainEmails: 5324,
      testEmails: 592,
      runs: [
        run,
        { ...run, method: "scratch", pretrained: undefined },
        { ...run, method: "bag-of-words", pooling: undefined, pretrained: undefined, steps: 0 },
      ],
    };
    await Deno.writeTextFile(path, JSON.stringify(grid));
    assertEquals(await readSpamGrid(path), JSON.parse(JSON.stringify(grid)));
    const failure = async (content: unknown) => {
      await Deno.writeTextFile(path, JSON.stringify(content));
      return await readSpamGrid(path).then(() => "", (e: Error) => e.message);
    };
    const { f1: _, ...lacking } = run;
    const message = await failure({ ...grid, runs: [run, lacking] });
    assert(message.includes("not a grid of deno task grid:spam_classifier"), message);
    assert(message.includes("expected runs[1].f1 (a number)"), message);
    assert(!message.includes("runs[0]."), message);
    const { backend: __, ...noBackend } = grid;
    const top = await failure({ ...noBackend, trainEmails: "5324" });
    assert(top.includes("trainEmails (a number), backend (a string)"), top);
    assert((await failure(null)).includes("made (a string)"));
    assert((await failure({ ...grid, runs: [] })).includes("runs (a list of at least one run)"));
    const badConfusion = await failure({ ...grid, runs: [{ ...run, confusion: [[1, 2]] }] });
    assert(badConfusion.includes("runs[0].confusion (a 2 × 2 matrix)"), badConfusion);
    const { pretrained: ___, ...unsaid } = run;
    const noStart = await failure({ ...grid, runs: [unsaid] });
    assert(
      noStart.includes("runs[0].pretrained (the command that made the pretrained model)"),
      noStart,
    );
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("fineTuneRun: trains and scores a method, and records which pretrained model it started from", async () => {
  const tokenizer = CharTokenizer.train("ab x");
  const train = ["ab ab", "x x", "ab x ab", "xx", "a b a", "x a x"].map((text, i) =>
    email(String(i).padStart(5, "0"), i % 2 === 0 ? 1 : 0, text)
  );
  const test = [email("00100", 1, "ab ab ab"), email("00101", 0, "x xx")];
  const data: SpamData = {
    train,
    test,
    encoded: new Map(train.map((e, i) => [e, encodeEmails(tokenizer, train, 16)[i]])),
    encodedTest: encodeEmails(tokenizer, test, 16),
  };
  const pretrained = tinyPretrained({ made: "deno task train:tiny" });
  const tensors = tf.memory().numTensors;
  for (const method of ["full", "scratch"] as const) {
    const { run, model, predictions } = await fineTuneRun(method, data, 4, pretrained, undefined, {
      steps: 2,
    });
    assertEquals(run.pretrained, method === "full" ? "deno task train:tiny" : undefined, method);
    assertEquals([run.method, run.labels, run.steps, run.pooling], [method, 4, 2, SPAM_POOLING]);
    assertEquals(predictions.predicted.length, 2);
    assertEquals(run.confusion.flat().reduce((a, b) => a + b), 2);
    model.dispose();
  }
  assertEquals(tf.memory().numTensors, tensors);
});
