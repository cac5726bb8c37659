import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "../assert.ts";
import {
  beamSearch,
  beamSearchMany,
  EncoderDecoder,
  greedyDecode,
  initCourse,
  setSeed,
} from "../../src/mod.ts";
import { SMALL } from "../fixtures.ts";

await initCourse();

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
