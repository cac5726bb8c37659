import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertThrows } from "../assert.ts";
import {
  checkCheckpointConfig,
  decodeCheckpoint,
  encodeCheckpoint,
  generate,
  GPT,
  type GPTConfig,
  initCourse,
  LLAMA_STYLE,
  RMSNorm,
  setSeed,
  SwiGLU,
} from "../../src/mod.ts";
import { cachedLogits, TINY } from "../fixtures.ts";

await initCourse();

const LLAMA_TINY: GPTConfig = { ...TINY, ...LLAMA_STYLE, numKVHeads: 2 };

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => a.sub(b).abs().max().dataSync()[0]);
}

Deno.test("a Llama-style GPT: no position table, RMSNorm, SwiGLU, 2 KV heads, no biases, own head", () => {
  setSeed(21);
  const model = new GPT(LLAMA_TINY);
  const names = [...model.parameters().keys()];
  assert(!names.some((n) => n.startsWith("positions")), "a rotary model has a position table");
  assert(
    !names.some((n) => n.endsWith(".bias")),
    `biases: ${names.filter((n) => n.endsWith("bias"))}`,
  );
  assert(names.includes("head.weight"), "the head is tied");
  assert(model.blocks[0].attentionNorm instanceof RMSNorm && model.finalNorm instanceof RMSNorm);
  assert(model.blocks[0].feedForward instanceof SwiGLU);
  // Keys and values: 2 heads of 32 / 4 = 8 numbers, so W_K is (32, 16).
  assertEquals(model.blocks[0].attention.key.weight.shape, [32, 16]);
  assertEquals(model.config.dFF, 85); // ⌊8 · 32 / 3⌋
  assertThrows(() => model.positions, /rotary positions .*no position table/);
  model.dispose();
});

Deno.test("GPT config: the modern choices are validated, naming the bad value", () => {
  assertThrows(
    () => new GPT({ ...TINY, numKVHeads: 3 }),
    /numKVHeads \(3\) must divide numHeads \(4\)/,
  );
  assertThrows(
    () => new GPT({ ...TINY, numKVHeads: 0 }),
    /numKVHeads must be a positive integer, got 0/,
  );
  assertThrows(
    () => new GPT({ ...TINY, positions: "absolute" as never }),
    /positions must be "learned" or "rotary", got "absolute"/,
  );
  assertThrows(
    () => new GPT({ ...TINY, norm: "batch" as never }),
    /norm must be "layer" or "rms", got "batch"/,
  );
  assertThrows(
    () => new GPT({ ...TINY, feedForward: "moe" as never }),
    /feedForward must be "mlp" or "swiglu", got "moe"/,
  );
  assertThrows(
    () => new GPT({ ...TINY, dModel: 36, numHeads: 4, positions: "rotary" }),
    /head size dModel \/ numHeads must be even; got 36 \/ 4 = 9/,
  );
});

Deno.test("rotary GPT: cached logits equal uncached ones (with GQA), and changing a later token changes nothing before it", () => {
  setSeed(22);
  const model = new GPT(LLAMA_TINY);
  const gaps = tf.tidy(() => {
    const ids = tf.tensor2d([[3, 1, 4, 1, 5, 9, 2, 6]], undefined, "int32");
    const full = model.forward(ids); // (1, 8, V)
    const { logits, keyShape } = cachedLogits(model, ids, 5);
    assertEquals(keyShape, [1, 2, 8, 8]); // the cache holds only the 2 key/value heads
    const cached = maxDiff(logits, full);
    const changed = model.forward(tf.tensor2d([[3, 1, 4, 1, 5, 9, 0, 0]], undefined, "int32"));
    const before = maxDiff(changed.slice([0, 0, 0], [1, 6, -1]), full.slice([0, 0, 0], [1, 6, -1]));
    return { cached, before };
  });
  assert(gaps.cached < 1e-5, `cached and uncached logits differ by ${gaps.cached}`);
  assertEquals(gaps.before, 0);
  model.dispose();
});

/**
 * The model over a whole text with sliding-window attention: each position attends to itself
 * and the `window − 1` before it, rotary positions counted from the text's start: `(1, T, V)`.
 */
function slidingWindowLogits(model: GPT, text: number[], window: number): tf.Tensor3D {
  return tf.tidy(() => {
    const T = text.length;
    const mask = tf.linalg.bandPart(tf.ones([T, T]), window - 1, 0); // (T, T)
    let x = model.tokenEmbedding.apply(tf.tensor2d([text], undefined, "int32")) as tf.Tensor3D;
    for (const block of model.blocks) x = block.apply(x, { mask }).output;
    return model.head!.apply(model.finalNorm.apply(x)) as tf.Tensor3D;
  });
}

Deno.test("rotary GPT: one block's sliding cache equals recomputing the window, token for token", () => {
  setSeed(23);
  // In one block a cached key depends only on its token and position, so dropping the oldest
  // and going on is recomputing the last 8 from position 0, shifted.
  const model = new GPT({ ...LLAMA_TINY, contextLength: 8, numLayers: 1 });
  const before = tf.memory().numTensors;
  const prompt = [1, 2, 3];
  const sliding = generate(model, prompt, { maxNewTokens: 30, temperature: 0, cache: true });
  const recomputed = generate(model, prompt, { maxNewTokens: 30, temperature: 0, cache: false });
  assertEquals(sliding, recomputed);
  assertEquals(tf.memory().numTensors, before);
  model.dispose();
});

Deno.test("rotary GPT, deeper: the sliding cache is sliding-window attention over the whole text", () => {
  setSeed(25);
  // With two blocks the second block's cached keys were made when their tokens still saw
  // positions that have since left the window: the cache is not a recomputation of the window
  // but attention with a window of 8 at every block, over the whole text (as Mistral's). Large
  // initial weights make the difference plain (at 0.02 attention is nearly uniform).
  const model = new GPT({ ...LLAMA_TINY, contextLength: 8, initStd: 0.5 });
  const before = tf.memory().numTensors;
  const text = [1, 2, 3, ...generate(model, [1, 2, 3], { maxNewTokens: 17, temperature: 0 })];
  const gaps = tf.tidy(() => {
    const cache = model.newCache();
    const steps = [model.forwardCached(tf.tensor2d([text.slice(0, 8)], undefined, "int32"), cache)];
    for (let t = 8; t < 20; t++) {
      cache.dropOldest(1);
      steps.push(model.forwardCached(tf.tensor2d([[text[t]]], undefined, "int32"), cache));
    }
    assertEquals(cache.layers[0].position, 20);
    assertEquals(cache.length, 8);
    cache.clear();
    const cached = tf.concat(steps, 1); // (1, 20, V)
    const window = model.forward(tf.tensor2d([text.slice(12, 20)], undefined, "int32"));
    return {
      banded: maxDiff(cached, slidingWindowLogits(model, text, 8)),
      recomputed: maxDiff(
        cached.slice([0, 19, 0], [1, 1, -1]),
        window.slice([0, 7, 0], [1, 1, -1]),
      ),
    };
  });
  assert(
    gaps.banded < 1e-4,
    `the sliding cache differs from sliding-window attention by ${gaps.banded}`,
  );
  assert(
    gaps.recomputed > 1e-3,
    `two blocks: sliding cache and recomputed window differ by only ${gaps.recomputed}`,
  );
  assertEquals(tf.memory().numTensors, before);
  model.dispose();
});

Deno.test("a GPT with learned positions refuses a cache that dropped positions", () => {
  setSeed(26);
  const model = new GPT(TINY);
  const cache = model.newCache();
  tf.tidy(() => {
    model.forwardCached(tf.tensor2d([[1, 2, 3]], undefined, "int32"), cache);
  });
  cache.dropOldest(1);
  tf.tidy(() => {
    assertThrows(
      () => model.forwardCached(tf.tensor2d([[4]], undefined, "int32"), cache),
      /learned positions cannot go on from a cache that dropped positions/,
    );
  });
  cache.clear();
  model.dispose();
});

Deno.test("checkpoints from before the modern settings count them as their defaults (GPT-2's)", () => {
  setSeed(24);
  const model = new GPT(TINY);
  // A header written before `positions`, `norm`, … existed: only the old keys (no weights:
  // the check reads the header alone).
  const oldKeys = [
    "vocabSize",
    "contextLength",
    "dModel",
    "numHeads",
    "numLayers",
    "dFF",
    "activation",
    "tieWeights",
    "initStd",
  ] as const;
  const old = decodeCheckpoint(encodeCheckpoint({
    kind: "gpt",
    config: Object.fromEntries(oldKeys.map((key) => [key, model.config[key]])),
    tokenizer: null,
  }, new Map()));
  checkCheckpointConfig(old, "gpt", model.config);
  const llama = new GPT({ ...TINY, norm: "rms" });
  assertThrows(
    () => checkCheckpointConfig(old, "gpt", llama.config),
    /config mismatch: checkpoint has norm = "layer", the model has "rms"/,
  );
  model.dispose();
  llama.dispose();
});
