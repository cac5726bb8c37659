import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "../assert.ts";
import {
  AdamW,
  CharTokenizer,
  generate,
  GPT,
  initCourse,
  mobyDick,
  Random,
  sampleBatch,
  setSeed,
  trainStep,
} from "../../src/mod.ts";
import { TINY } from "../fixtures.ts";

await initCourse();

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
