import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "../assert.ts";
import {
  EncoderDecoder,
  G2P_TRAINING,
  g2pConfig,
  g2pData,
  initCourse,
  Random,
  setSeed,
  trainSeq2Seq,
} from "../../src/mod.ts";

await initCourse();

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
