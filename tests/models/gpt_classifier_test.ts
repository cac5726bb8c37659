import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertThrows } from "../assert.ts";
import {
  attentionProjections,
  classificationBatch,
  GPTClassifier,
  type GPTClassifierConfig,
  initCourse,
  LLAMA_STYLE,
  mergeLoRA,
  resolveGPTClassifierConfig,
  setSeed,
  setTrainable,
  trainLoop,
} from "../../src/mod.ts";
import { TINY } from "../fixtures.ts";

await initCourse();

const CONFIG: GPTClassifierConfig = {
  gpt: { ...TINY, ...LLAMA_STYLE, numKVHeads: 2 },
  numClasses: 3,
};
const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => a.sub(b).abs().max().dataSync()[0]);
const ids = (rows: number[][]) => tf.tensor2d(rows, undefined, "int32");
const last = (values: number[]) => tf.tensor1d(values, "int32");

Deno.test("GPT classifier: logits (B, K) from the last real token; right padding changes nothing", () => {
  setSeed(5);
  const model = new GPTClassifier(CONFIG);
  const text = [3, 1, 4, 1, 5];
  const inputs = [
    ids([text]),
    last([4]),
    ids([[...text, 0, 0, 0], [2, 7, 1, 8, 2, 8, 1, 8]]),
    last([4, 7]),
  ];
  const tensors = tf.memory().numTensors;
  const alone = model.forward(inputs[0] as tf.Tensor2D, inputs[1] as tf.Tensor1D);
  const padded = model.forward(inputs[2] as tf.Tensor2D, inputs[3] as tf.Tensor1D);
  assertEquals(padded.shape, [2, 3]);
  const firstRow = padded.slice([0, 0], [1, 3]);
  assert(maxDiff(alone, firstRow) < 1e-5, "padding changed the first row");
  // The same as the head applied by hand to the GPT's features at that position.
  const byHand = tf.tidy(() => {
    const h = model.gpt.features(inputs[0] as tf.Tensor2D).slice([0, 4, 0], [1, 1, -1]).reshape([
      1,
      -1,
    ]);
    return model.head.apply(h);
  });
  assert(maxDiff(alone, byHand) < 1e-6, "not the head of the last token's features");
  tf.dispose([alone, padded, firstRow, byHand]);
  assertEquals(tf.memory().numTensors, tensors);
  tf.dispose(inputs);
  assertThrows(() => model.forward(ids([text]), last([5])), /last\[0\] = 5 is not a position/);
  assertThrows(() => model.forward(ids([text]), last([1, 2])), /shape \[1\]/);
  assertThrows(() => new GPTClassifier({ ...CONFIG, numClasses: 1 }), /at least 2 classes/);
  model.dispose();
});

Deno.test("GPT classifier with LoRA: starts exactly as without; merged adapters give the same outputs", () => {
  setSeed(6);
  const plain = new GPTClassifier(CONFIG);
  const lora = new GPTClassifier({ ...CONFIG, lora: { rank: 2, alpha: 4 } });
  const adapters = [...lora.parameters().keys()].filter((n) => n.includes(".adapter."));
  assertEquals(adapters.length, 2 * 4 * TINY.numLayers); // A and B on W_Q, W_K, W_V, W_O per block
  for (const [name, variable] of plain.parameters()) {
    lora.parameters().get(name)!.assign(variable); // the same base weights
  }
  const x = ids([[1, 2, 3, 4], [4, 3, 2, 1]]);
  const at = last([3, 2]);
  const base = plain.forward(x, at);
  const start = lora.forward(x, at);
  assertEquals(maxDiff(base, start), 0, "zero-initialised B: the adapters change nothing at first");
  for (const layer of attentionProjections(lora.gpt)) {
    tf.tidy(() => layer.adapter!.up.assign(tf.randomNormal(layer.adapter!.up.shape, 0, 0.3)));
  }
  const adapted = lora.forward(x, at);
  assert(maxDiff(adapted, base) > 1e-3, "trained adapters should change the outputs");
  mergeLoRA(attentionProjections(lora.gpt));
  const merged = lora.forward(x, at);
  assert(
    maxDiff(merged, adapted) < 1e-4,
    `merging moved the logits by ${maxDiff(merged, adapted)}`,
  );
  tf.dispose([x, at, base, start, adapted, merged]);
  plain.dispose();
  lora.dispose();
});

/** A classifier with LoRA adapters, everything frozen but the adapters and the head. */
function loraClassifier(seed: number): GPTClassifier {
  setSeed(seed);
  const model = new GPTClassifier({ ...CONFIG, lora: { rank: 2, alpha: 4 } });
  setTrainable(model, false);
  for (const layer of attentionProjections(model.gpt)) setTrainable(layer.adapter!, true);
  setTrainable(model.head, true);
  return model;
}

const numbers = (model: GPTClassifier) =>
  new Map([...model.parameters()].map(([n, v]) => [n, Float32Array.from(v.dataSync())]));

Deno.test("GPT classifier: training moves only what is trainable, on one thread and on two alike", async () => {
  const examples = [
    { ids: [1, 2, 3], label: 0 as const },
    { ids: [4, 5], label: 1 as const },
    { ids: [6, 7, 8, 9], label: 1 as const },
    { ids: [2], label: 0 as const },
  ];
  const settings = {
    steps: 3,
    schedule: { max: 1e-2, min: 1e-2, warmup: 0, total: 3 },
    clipNorm: 1,
    optimizer: {},
    evalEvery: 3,
  };
  const trained: Map<string, Float32Array>[] = [];
  for (const shards of [1, 2]) {
    const model = loraClassifier(7);
    const before = numbers(model);
    const tensors = tf.memory().numTensors;
    const task = { kind: "gpt-classifier" as const, config: model.config };
    await trainLoop(
      task,
      model,
      { ...settings, shards },
      () => classificationBatch(examples),
      () => 0,
    );
    assertEquals(tf.memory().numTensors, tensors);
    const after = numbers(model);
    for (const [name, values] of after) {
      const moved = values.some((v, i) => v !== before.get(name)![i]);
      // Only the adapters and the head train; A (down) gets a gradient only once B is non-zero.
      const trains = name.includes(".adapter.") || name.startsWith("head.");
      if (!trains) assert(!moved, `frozen ${name} moved (${shards} threads)`);
      if (name.endsWith("adapter.up") || name.startsWith("head.")) {
        assert(moved, `${name} did not train (${shards} threads)`);
      }
    }
    trained.push(after);
    model.dispose();
  }
  for (const [name, values] of trained[0]) {
    const other = trained[1].get(name)!;
    const diff = Math.max(...values.map((v, i) => Math.abs(v - other[i])));
    assert(diff < 1e-5, `${name}: one thread and two differ by ${diff}`);
  }
});

Deno.test("GPT classifier with mean pooling: the head of the mean of each row's real tokens' features; right padding changes nothing", () => {
  setSeed(8);
  const model = new GPTClassifier({ ...CONFIG, pooling: "mean" });
  assertEquals(model.config.pooling, "mean");
  assertEquals(resolveGPTClassifierConfig(CONFIG).pooling, "last"); // the default
  const rows = [[3, 1, 4, 1, 5, 0, 0, 0], [2, 7, 1, 8, 2, 8, 1, 8], [6, 0, 0, 0, 0, 0, 0, 0]];
  const lengths = [5, 8, 1];
  const inputs = [ids(rows), last(lengths.map((n) => n - 1))];
  const tensors = tf.memory().numTensors;
  const logits = model.forward(inputs[0] as tf.Tensor2D, inputs[1] as tf.Tensor1D);
  assertEquals(logits.shape, [3, 3]);
  // By hand: each row alone, unpadded; the mean over its T real positions of the features.
  const byHand = tf.tidy(() =>
    tf.concat(rows.map((row, b) => {
      const h = model.gpt.features(ids([row.slice(0, lengths[b])])); // (1, T, C)
      return model.head.apply(h.mean(1)) as tf.Tensor2D; // (1, K)
    }))
  );
  assert(maxDiff(logits, byHand) < 1e-5, `not the head of the mean: ${maxDiff(logits, byHand)}`);
  // Not the last token's state: the two poolings differ.
  const lastOnly = tf.tidy(() => {
    const h = model.gpt.features(ids([rows[0].slice(0, 5)])).slice([0, 4, 0], [1, 1, -1]);
    return model.head.apply(h.reshape([1, -1])) as tf.Tensor2D;
  });
  const firstRow = logits.slice([0, 0], [1, 3]);
  assert(maxDiff(firstRow, lastOnly) > 1e-4, "mean pooling gave the last token's logits");
  // More padding, of other ids: the same logits.
  const repadded = [
    ids([[3, 1, 4, 1, 5, 9, 9, 9, 9, 9, 9], [6, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3]]),
    last([4, 0]),
  ];
  const again = model.forward(repadded[0] as tf.Tensor2D, repadded[1] as tf.Tensor1D);
  const expected = tf.tidy(() =>
    tf.concat([byHand.slice([0, 0], [1, 3]), byHand.slice([2, 0], [1, 3])])
  );
  assert(
    maxDiff(again, expected) < 1e-5,
    `right padding changed the logits by ${maxDiff(again, expected)}`,
  );
  tf.dispose([logits, byHand, lastOnly, firstRow, again, expected, ...repadded]);
  assertEquals(tf.memory().numTensors, tensors);
  tf.dispose(inputs);
  model.dispose();
  assertThrows(
    () => new GPTClassifier({ ...CONFIG, pooling: "max" as never }),
    /GPT classifier pooling must be "last" or "mean", got "max"/,
  );
});
