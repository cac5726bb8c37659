import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "./assert.ts";
import {
  AdamW,
  beamSearch,
  beamSearchMany,
  cmuDictSplit,
  crossEntropy,
  disposeSeq2SeqBatch,
  editDistance,
  EncoderDecoder,
  type EncoderDecoderConfig,
  END,
  errorRates,
  G2P_TRAINING,
  g2pConfig,
  g2pData,
  greedyDecode,
  initCourse,
  lengthBucketedBatches,
  PAD,
  Random,
  seq2seqBatch,
  setSeed,
  START,
  SymbolVocabulary,
  trainSeq2Seq,
  trainStep,
} from "../src/mod.ts";

await initCourse();

const IDS = { padId: 0, startId: 1, endId: 2 };
const SMALL: EncoderDecoderConfig = {
  sourceVocabSize: 12,
  targetVocabSize: 10,
  maxLength: 16,
  dModel: 32,
  numHeads: 4,
  encoderLayers: 2,
  decoderLayers: 2,
};

Deno.test("edit distance and error rates on known cases", () => {
  assertEquals(editDistance([..."kitten"], [..."sitting"]), 3);
  assertEquals(editDistance("K AE T".split(" "), "K AA T S".split(" ")), 2);
  assertEquals(editDistance([], ["a", "b"]), 2);
  assertEquals(editDistance([1, 2, 3], [1, 2, 3]), 0);
  const rates = errorRates([["K", "AE", "T"], ["D", "AO", "G"]], [["K", "AE", "T"], [
    "D",
    "AA",
    "G",
    "Z",
  ]]);
  assertAlmostEquals(rates.tokenErrorRate, 2 / 7, 1e-12);
  assertEquals(rates.sequenceErrorRate, 0.5);
  assertThrows(() => errorRates([[1]], []), /1 predictions for 0 references/);
});

Deno.test("teacher forcing: target shifted right behind <start>, <end> appended, padded to the batch's longest", () => {
  const batch = seq2seqBatch(
    [{ source: [5, 6, 7], target: [3, 4] }, { source: [8], target: [9] }],
    IDS,
  );
  assertEquals(batch.source.arraySync(), [[5, 6, 7], [8, 0, 0]]);
  assertEquals(batch.targetIn.arraySync(), [[1, 3, 4], [1, 9, 0]]);
  assertEquals(batch.targetOut.arraySync(), [[3, 4, 2], [9, 2, 0]]);
  disposeSeq2SeqBatch(batch);
});

Deno.test("label smoothing: hand-computed loss; padding targets are left out", () => {
  const [smoothed, ignoring] = tf.tidy(() => {
    const logits = tf.tensor2d([[2, 1, 0], [5, 5, 5]]);
    const targets = tf.tensor1d([0, 9], "int32"); // the second row's target is padding (id 9 here)
    return [
      crossEntropy(logits.slice([0, 0], [1, 3]), targets.slice([0], [1]), { labelSmoothing: 0.1 })
        .dataSync()[0],
      crossEntropy(logits, targets, { labelSmoothing: 0.1, ignoreId: 9 }).dataSync()[0],
    ];
  });
  const logp = [2, 1, 0].map((x) => x - Math.log(Math.exp(2) + Math.exp(1) + 1));
  const expected = -(0.9 * logp[0] + 0.1 * (logp[0] + logp[1] + logp[2]) / 3);
  assertAlmostEquals(smoothed, expected, 1e-5);
  assertAlmostEquals(ignoring, expected, 1e-5);
});

Deno.test("decoder causality: changing target token j never changes the logits at i < j", () => {
  setSeed(21);
  const model = new EncoderDecoder(SMALL);
  const diffs = tf.tidy(() => {
    const source = tf.tensor2d([[3, 4, 5, 6]], undefined, "int32");
    const a = model.forward(source, tf.tensor2d([[1, 3, 4, 5, 6]], undefined, "int32"));
    const b = model.forward(source, tf.tensor2d([[1, 3, 4, 9, 8]], undefined, "int32"));
    return Array.from(
      { length: 5 },
      (_, i) =>
        tf.max(tf.abs(a.slice([0, i, 0], [1, 1, -1]).sub(b.slice([0, i, 0], [1, 1, -1]))))
          .dataSync()[0],
    );
  });
  assert(diffs.slice(0, 3).every((d) => d === 0), `logits before the change moved: ${diffs}`);
  assert(diffs[3] > 0 && diffs[4] > 0);
  model.dispose();
});

Deno.test("padding never changes outputs at real positions (source and target)", () => {
  setSeed(22);
  const model = new EncoderDecoder(SMALL);
  const [sourceGap, targetGap] = tf.tidy(() => {
    const target = tf.tensor2d([[1, 3, 4]], undefined, "int32");
    const unpadded = model.forward(tf.tensor2d([[3, 4, 5]], undefined, "int32"), target);
    const padded = model.forward(tf.tensor2d([[3, 4, 5, 0, 0, 0]], undefined, "int32"), target);
    const source = tf.tensor2d([[3, 4, 5, 6, 7, 8, 9]], undefined, "int32"); // 7 source vs 3 target positions
    const short = model.forward(source, target);
    const long = model.forward(source, tf.tensor2d([[1, 3, 4, 0, 0]], undefined, "int32")).slice([
      0,
      0,
      0,
    ], [1, 3, -1]);
    return [
      tf.max(tf.abs(unpadded.sub(padded))).dataSync()[0],
      tf.max(tf.abs(short.sub(long))).dataSync()[0],
    ];
  });
  assert(sourceGap < 1e-5, `source padding changed the logits by ${sourceGap}`);
  // Cross-attention weights for pictures: one (B, H, Tt, Ts) tensor per decoder block, rows sum to 1.
  const weights = { cross: [] as tf.Tensor4D[] };
  tf.tidy(() => {
    const encoded = model.encode(tf.tensor2d([[3, 4, 5, 6, 7, 8, 9]], undefined, "int32"));
    model.decode(tf.tensor2d([[1, 3, 4]], undefined, "int32"), encoded, weights);
  });
  assertEquals(weights.cross.map((w) => w.shape), [[1, 4, 3, 7], [1, 4, 3, 7]]);
  const rowSums = tf.tidy(() => Array.from(weights.cross[1].sum(-1).dataSync()));
  rowSums.forEach((total) => assertAlmostEquals(total, 1, 1e-5));
  tf.dispose(weights.cross);
  assert(targetGap < 1e-5, `target padding changed the logits by ${targetGap}`);
  model.dispose();
});

Deno.test("beam width 1 equals greedy decoding; no tensors left behind", () => {
  setSeed(23);
  const model = new EncoderDecoder(SMALL);
  const sources = [[3, 4, 5], [6, 7], [8, 9, 10, 11]];
  const options = { startId: 1, endId: 2, maxLength: 8 };
  const before = tf.memory().numTensors;
  const greedy = greedyDecode(model, sources, options);
  const beams = sources.map((s) => beamSearch(model, s, { ...options, beamWidth: 1 }));
  assertEquals(beams, greedy);
  const wide = beamSearch(model, sources[0], { ...options, beamWidth: 4 });
  assert(wide.length <= 8 && !wide.includes(2), `beam output ${wide} is too long or keeps <end>`);
  // Sources of different lengths searched together give what each gives alone.
  const together = beamSearchMany(model, sources, { ...options, beamWidth: 3 });
  const alone = sources.map((s) => beamSearch(model, s, { ...options, beamWidth: 3 }));
  assertEquals(together, alone);
  assertEquals(tf.memory().numTensors, before);
  model.dispose();
});

Deno.test("symbol vocabulary: <pad> <start> <end> first, round trip, unknown symbols named", () => {
  const vocab = SymbolVocabulary.fromSequences([["K", "AE1", "T"], ["D", "AO1", "G"]]);
  assertEquals(vocab.symbols.slice(0, 3), [PAD, START, END]);
  assertEquals([vocab.padId, vocab.startId, vocab.endId], [0, 1, 2]);
  assertEquals(vocab.symbols.slice(3), ["AE1", "AO1", "D", "G", "K", "T"]);
  const ids = vocab.encode(["K", "AE1", "T"]);
  assertEquals(ids, [7, 3, 8]);
  assertEquals(vocab.decode([1, ...ids, 2, 0]), ["K", "AE1", "T"]);
  assertThrows(() => vocab.encode(["K", "EY1"]), /"EY1" is not in the vocabulary/);
  assertThrows(() => vocab.encode([END]), /"<end>" is not in the vocabulary/);
  assertEquals(new SymbolVocabulary(vocab.toJSON()).symbols, vocab.symbols);
});

Deno.test("length-bucketed batches: every example once, little padding, same seed same order", () => {
  const random = new Random(3);
  const examples = Array.from({ length: 1000 }, (_, i) => ({
    source: Array(1 + random.int(20)).fill(3),
    target: [i],
  }));
  const batches = lengthBucketedBatches(examples, 32, new Random(4), 10);
  assertEquals(
    batches.flat().map((e) => e.target[0]).sort((a, b) => a - b),
    examples.map((_, i) => i),
  );
  assert(batches.every((b) => b.length <= 32));
  const real = batches.flat().reduce((s, e) => s + e.source.length, 0);
  const rectangle = batches.reduce(
    (s, b) => s + b.length * Math.max(...b.map((e) => e.source.length)),
    0,
  );
  assert(
    real / rectangle > 0.9,
    `only ${(100 * real / rectangle).toFixed(0)} % of positions are real`,
  );
  assertEquals(lengthBucketedBatches(examples, 32, new Random(4), 10), batches);
});

Deno.test("trainSeq2Seq: the loss falls on a small G2P set and no tensors are left behind", async () => {
  const data = g2pData();
  setSeed(25);
  const model = new EncoderDecoder({
    ...g2pConfig(data),
    dModel: 32,
    encoderLayers: 1,
    decoderLayers: 1,
  });
  const before = tf.memory().numTensors;
  const settings = {
    ...G2P_TRAINING,
    steps: 40,
    batchSize: 32,
    evalEvery: 20,
    schedule: { max: 3e-3, min: 3e-4, warmup: 5, total: 40 },
  };
  const result = await trainSeq2Seq(
    model,
    data.train.slice(0, 2000),
    data.validation.slice(0, 200),
    data.phonemes,
    settings,
    new Random(5),
  );
  const vals = result.history.filter((r) => r.val !== undefined).map((r) => r.val!);
  assertEquals(vals.length, 2);
  assert(vals[1] < vals[0] && vals[1] < Math.log(data.phonemes.size), `validation losses ${vals}`);
  assertEquals(tf.memory().numTensors, before);
  model.dispose();
});

Deno.test("a 20-word CMUdict set overfits to 100 % accuracy", () => {
  const words = cmuDictSplit().train.filter((p) => p.word.length <= 6).slice(1000, 1020);
  const letters = SymbolVocabulary.fromSequences(words.map((w) => [...w.word]));
  const phones = SymbolVocabulary.fromSequences(words.map((w) => w.phonemes));
  const examples = words.map((w) => ({
    source: letters.encode([...w.word]),
    target: phones.encode(w.phonemes),
  }));
  setSeed(24);
  const model = new EncoderDecoder({
    sourceVocabSize: letters.size,
    targetVocabSize: phones.size,
    maxLength: 12,
    dModel: 64,
    numHeads: 4,
    encoderLayers: 1,
    decoderLayers: 1,
  });
  const optimizer = new AdamW(model.parameters(), { weightDecay: 0 });
  const batch = seq2seqBatch(examples, IDS);
  for (let step = 0; step < 250; step++) {
    trainStep(() => model.loss(batch.source, batch.targetIn, batch.targetOut), optimizer, {
      learningRate: 3e-3,
      clipNorm: 1,
    });
  }
  disposeSeq2SeqBatch(batch);
  const predicted = greedyDecode(model, examples.map((e) => e.source), {
    startId: 1,
    endId: 2,
    maxLength: 12,
  });
  const { sequenceErrorRate } = errorRates(predicted, examples.map((e) => e.target));
  assertEquals(
    sequenceErrorRate,
    0,
    `${(100 * sequenceErrorRate).toFixed(0)} % of the 20 words wrong`,
  );
  optimizer.dispose();
  model.dispose();
});

Deno.test("encoder-decoder config and input errors name the problem", () => {
  assertThrows(
    () => new EncoderDecoder({ ...SMALL, numHeads: 3 }),
    /dModel \(32\) must be divisible by numHeads \(3\)/,
  );
  assertThrows(
    () => new EncoderDecoder({ ...SMALL, decoderLayers: 0 }),
    /decoderLayers must be a positive integer, got 0/,
  );
  const model = new EncoderDecoder(SMALL);
  tf.tidy(() => {
    assertThrows(
      () => model.encode(tf.zeros([1, 17], "int32") as tf.Tensor2D),
      /source of 17 tokens is longer than maxLength 16/,
    );
  });
  model.dispose();
});

Deno.test("G2P data: the stated split, disjoint parts, and vocabularies that cover every word", () => {
  const data = g2pData();
  const split = cmuDictSplit();
  assertEquals(data.test.map((e) => e.word), split.heldOut.map((p) => p.word));
  assertEquals(data.train.length + data.validation.length, split.train.length);
  assertEquals(data.validation.length, Math.ceil(split.train.length / 50));
  const seen = new Set(data.train.map((e) => e.word));
  assert(
    data.validation.every((e) => !seen.has(e.word)) && data.test.every((e) => !seen.has(e.word)),
  );
  assertEquals(data.letters.size, 3 + 27); // A–Z and the apostrophe
  const cat = data.test.find((e) => e.word === "CAT") ?? data.train.find((e) => e.word === "CAT")!;
  assertEquals(cat.phonemes, ["K", "AE1", "T"]);
  assertEquals(data.phonemes.decode(cat.target), cat.phonemes);
  assertEquals(data.letters.decode(cat.source).join(""), "CAT");
});
