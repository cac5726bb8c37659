import * as tf from "@tensorflow/tfjs";
import { assertEquals } from "../assert.ts";
import { AdamW, GPT, initCourse, Random, sampleBatch, setSeed, trainStep } from "../../src/mod.ts";
import { TINY } from "../fixtures.ts";

await initCourse();

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
