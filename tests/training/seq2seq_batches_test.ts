import { assert, assertEquals } from "../assert.ts";
import {
  disposeSeq2SeqBatch,
  initCourse,
  lengthBucketedBatches,
  Random,
  seq2seqBatch,
} from "../../src/mod.ts";
import { IDS } from "../fixtures.ts";

await initCourse();

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
