/**
 * Bad input that the shared module used to accept silently, or reject from deep inside
 * TensorFlow.js (issue 22): each case is an error that says what was wrong and what was
 * expected, and leaves `tf.memory().numTensors` as it found it.
 */
import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertThrows } from "../assert.ts";
import {
  beamSearch,
  ByteBpeTokenizer,
  crossEntropy,
  EncoderDecoder,
  type EncoderDecoderConfig,
  EncoderOnly,
  type EncoderOnlyConfig,
  freeOnFailure,
  generate,
  GPT,
  type GPTConfig,
  greedyDecode,
  initCourse,
  LayerNorm,
  Linear,
  nextTokenDistribution,
  pickNext,
  Random,
  setSeed,
} from "../../src/mod.ts";

await initCourse();

const TINY: GPTConfig = { vocabSize: 50, contextLength: 16, dModel: 16, numHeads: 2, numLayers: 1 };
const SEQ: EncoderDecoderConfig = {
  sourceVocabSize: 20,
  targetVocabSize: 50,
  maxLength: 8,
  dModel: 16,
  numHeads: 2,
  encoderLayers: 1,
  decoderLayers: 1,
};
const MLM: EncoderOnlyConfig = {
  vocabSize: 20,
  maxLength: 8,
  dModel: 16,
  numHeads: 2,
  numLayers: 1,
};

/** `fn` throws an error matching `pattern` and leaves as many tensors as it found. */
function throwsCleanly(fn: () => unknown, pattern: RegExp): string {
  const before = tf.memory().numTensors;
  const message = assertThrows(fn, pattern);
  assertEquals(tf.memory().numTensors, before, `tensors left behind by: ${message}`);
  return message;
}

const ids = (rows: number[][]) => tf.tensor2d(rows, undefined, "int32");

Deno.test("cross-entropy: targets outside the vocabulary are an error, the ignore id is not", () => {
  setSeed(1);
  const gpt = new GPT(TINY);
  const [x, y] = [ids([[1, 2, 3]]), ids([[99, 99, 99]])];
  throwsCleanly(() => gpt.loss(x, y), /target 99 \(position 0\) is not an integer in \[0, 50\)/);
  const ignored = ids([[-1, 4, -1]]);
  const loss = tf.tidy(() => gpt.loss(x, ignored, { ignoreId: -1 }).dataSync()[0]);
  assert(loss > 0 && Number.isFinite(loss), `loss ${loss}`);
  throwsCleanly(() => gpt.loss(x, ignored), /target -1 \(position 0\) is not an integer/);
  tf.dispose([x, y, ignored]);
  gpt.dispose();
  const mlm = new EncoderOnly(MLM);
  const [input, positions, labels] = [
    ids([[1, 2, 3]]),
    tf.tensor1d([1], "int32"),
    tf.tensor1d([25], "int32"),
  ];
  throwsCleanly(
    () => mlm.loss(input, positions, labels),
    /target 25 \(position 0\) is not an integer in \[0, 20\)/,
  );
  const outside = tf.tensor1d([3], "int32");
  throwsCleanly(
    () => mlm.loss(input, outside, positions),
    /masked position 3 \(position 0\) is not an integer in \[0, 3\)/,
  );
  tf.dispose([input, positions, labels, outside]);
  mlm.dispose();
});

Deno.test("cross-entropy: mismatched shapes are named, not a broadcasting error", () => {
  const [logits, targets] = [tf.zeros([2, 3, 5]), tf.zeros([2, 4], "int32")];
  throwsCleanly(
    () => crossEntropy(logits, targets),
    /logits \[2,3,5\] and targets \[2,4\], expected targets \[2,3\]/,
  );
  const floats = tf.zeros([2, 3]);
  throwsCleanly(() => crossEntropy(logits, floats), /targets must be int32 ids, got float32/);
  tf.dispose([logits, targets, floats]);
});

Deno.test("generate: prompt ids must be integers in the vocabulary; maxNewTokens a count", () => {
  setSeed(2);
  const gpt = new GPT(TINY);
  const greedy = { maxNewTokens: 3, temperature: 0 };
  throwsCleanly(() => generate(gpt, [1, 2.7], greedy), /prompt token 2\.7 \(position 1\)/);
  throwsCleanly(() => generate(gpt, [1, NaN], greedy), /prompt token NaN \(position 1\)/);
  throwsCleanly(() => generate(gpt, [1, 50], greedy), /prompt token 50 .* in \[0, 50\)/);
  for (const bad of [undefined, NaN, -1, 2.5, "3"]) {
    throwsCleanly(
      () => generate(gpt, [1], { temperature: 0, maxNewTokens: bad as number }),
      /maxNewTokens must be an integer ≥ 0, got/,
    );
  }
  assertEquals(generate(gpt, [1], { ...greedy, maxNewTokens: 0 }), []);
  throwsCleanly(() => generate(gpt, [1], { ...greedy, stopId: 1.5 }), /stopId must be/);
  gpt.dispose();
});

Deno.test("sampling settings are checked even when the temperature is 0 (greedy)", () => {
  const logits = [0.1, 2, 0.3];
  const random = new Random(1);
  for (const bad of [{ topK: -3 }, { topK: 1.5 }, { topP: 0 }, { topP: NaN }, { topP: 2 }]) {
    assertThrows(() => pickNext(logits, { temperature: 0, ...bad }, random), /topK|topP/);
    assertThrows(() => nextTokenDistribution(logits, { temperature: 0, ...bad }), /topK|topP/);
  }
  for (const temperature of [NaN, -1, Infinity]) {
    assertThrows(() => pickNext(logits, { temperature }, random), /temperature must be in/);
  }
  setSeed(3);
  const gpt = new GPT(TINY);
  throwsCleanly(
    () => generate(gpt, [1], { maxNewTokens: 0, temperature: 0, topP: 1.5 }),
    /topP must be in \(0, 1\], got 1\.5/,
  );
  gpt.dispose();
});

Deno.test("models: NaN settings and a padId outside the vocabulary are errors, not NaN models", () => {
  throwsCleanly(() => new GPT({ ...TINY, initStd: NaN }), /GPT config: initStd must be in/);
  throwsCleanly(() => new GPT({ ...TINY, initStd: -0.1 }), /initStd must be in \[0, 10\]/);
  throwsCleanly(() => new LayerNorm(32, NaN), /LayerNorm epsilon must be in \(0, ∞\), got NaN/);
  throwsCleanly(() => new LayerNorm(32, 0), /LayerNorm epsilon must be in \(0, ∞\), got 0/);
  throwsCleanly(
    () => new EncoderDecoder({ ...SEQ, padId: 99 }),
    /padId .* must be an integer in \[0, 20\), got 99/,
  );
  throwsCleanly(() => new EncoderOnly({ ...MLM, padId: -1 }), /padId must be an integer in/);
  throwsCleanly(
    () => new GPT({ ...TINY, tieWeights: "false" as unknown as boolean }),
    /tieWeights must be true or false, got "false"/,
  );
});

Deno.test("constructors that fail leave no variables behind", () => {
  throwsCleanly(() => new GPT({ ...TINY, dFF: -1 }), /GPT config: dFF must be a positive integer/);
  throwsCleanly(
    () => new GPT({ ...TINY, activation: "tanh" as "gelu" }),
    /GPT config: activation must be "relu" or "gelu", got "tanh"/,
  );
  throwsCleanly(
    () => new GPT({ ...TINY, dFF: 2 ** 25 }),
    /GPT config: dModel × dFF .* \[16 × 33554432\] would hold 536870912 numbers/,
  );
  throwsCleanly(() => new EncoderDecoder({ ...SEQ, dFF: 2 ** 25 }), /dModel × dFF/);
  throwsCleanly(() => new EncoderOnly({ ...MLM, vocabSize: 2 ** 25 }), /vocabSize × dModel/);
  throwsCleanly(() => new GPT({ ...TINY, numLayers: 1e12 }), /numLayers must be at most 1000/);
});

Deno.test("a constructor whose parts fail midway frees the parts already made", () => {
  // Whatever fails (here, a made-up error after two layers), the variables made are freed.
  throwsCleanly(() =>
    freeOnFailure(() => {
      new Linear(4, 4);
      new LayerNorm(4);
      throw new Error("a later part failed");
    }), /a later part failed/);
  const kept = freeOnFailure(() => new Linear(4, 4));
  assertEquals(kept.parameterCount(), 20);
  kept.dispose();
});

Deno.test("decoding an empty source, or no source at all, is an error", () => {
  setSeed(4);
  const model = new EncoderDecoder(SEQ);
  const options = { startId: 1, endId: 2, maxLength: 3 };
  throwsCleanly(
    () => greedyDecode(model, [[]], options),
    /source 0 is empty: a source needs at least one token/,
  );
  throwsCleanly(() => beamSearch(model, [], { ...options, beamWidth: 2 }), /source 0 is empty/);
  throwsCleanly(() => greedyDecode(model, [], options), /at least one source, got none/);
  throwsCleanly(() => greedyDecode(model, [[3, 2.5]], options), /source 0: token 2\.5/);
  throwsCleanly(() => greedyDecode(model, [[3]], { ...options, startId: 50 }), /startId must be/);
  throwsCleanly(
    () => beamSearch(model, [3, 4], { ...options, maxLength: 30, beamWidth: 2 }),
    /maxLength 30 is more than the model's maxLength 8/,
  );
  model.dispose();
});

Deno.test("a beam search that fails midway leaves no tensors behind", () => {
  setSeed(5);
  const model = new EncoderDecoder(SEQ);
  const decode = model.decode.bind(model);
  let calls = 0;
  model.decode = (...args) => {
    if (++calls === 2) throw new Error("the decoder failed");
    return decode(...args);
  };
  throwsCleanly(
    () => beamSearch(model, [3, 4], { startId: 1, endId: 2, maxLength: 6, beamWidth: 2 }),
    /the decoder failed/,
  );
  model.dispose();
});

Deno.test("an id outside the vocabulary on the cpu backend is named, not a GatherV2 error", async () => {
  await tf.setBackend("cpu");
  try {
    setSeed(6);
    const gpt = new GPT(TINY);
    const x = ids([[1, 50]]);
    throwsCleanly(
      () => gpt.forward(x),
      /token id 50 \(position 1\) is not an integer in \[0, 50\)/,
    );
    x.dispose();
    gpt.dispose();
  } finally {
    await tf.setBackend("wasm");
  }
});

Deno.test("decoding keeps U+FEFF at the start and after a special token", async () => {
  const gpt2 = await ByteBpeTokenizer.gpt2();
  for (const text of ["\ufeffhello", "\ufeff", "a<|endoftext|>\ufeffb", "x\ufeff\ufeffy"]) {
    assertEquals(gpt2.decode(gpt2.encode(text, { special: "allow" })), text);
  }
});
