import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertThrows } from "../assert.ts";
import { GPT, initCourse, MODEL_KINDS, taskLoss } from "../../src/mod.ts";
import { matrix, TINY_GPT } from "../fixtures.ts";

await initCourse();

Deno.test("counted targets: every target, or all but the ignored or padded ones", () => {
  const y = matrix([[1, -1, 2], [-1, -1, 3]]);
  assertEquals(MODEL_KINDS.gpt.countedTargets({ x: y, y }, {}, TINY_GPT), 6);
  assertEquals(MODEL_KINDS.gpt.countedTargets({ x: y, y }, { ignoreId: -1 }, TINY_GPT), 3);
  const config = { sourceVocabSize: 5, targetVocabSize: 5, maxLength: 8, dModel: 8, numHeads: 2 };
  const targetOut = matrix([[3, 2, 0], [4, 0, 0]]);
  assertEquals(
    MODEL_KINDS["encoder-decoder"].countedTargets(
      { source: targetOut, targetIn: targetOut, targetOut },
      {},
      { ...config, encoderLayers: 1, decoderLayers: 1 },
    ),
    3,
  );
  const mlm = { vocabSize: 9, maxLength: 4, dModel: 8, numHeads: 2, numLayers: 1 };
  assertEquals(MODEL_KINDS["encoder-only"].countedTargets({ ids: y, targets: y }, {}, mlm), 3);
  const ids = tf.tensor2d([[1, 2]], undefined, "int32");
  const model = new GPT(TINY_GPT);
  assertThrows(
    () => taskLoss({ kind: "gpt", config: TINY_GPT }, model, { source: ids }),
    /a gpt batch needs x, y; got source/,
  );
  model.dispose();
  ids.dispose();
});
