import { assert, assertEquals, assertThrows } from "../assert.ts";
import { disposeMlmBatch, initCourse, maskTokens, mlmBatch, Random } from "../../src/mod.ts";

await initCourse();

const SPECIAL = new Set([0, 1, 2, 3, 4]); // [PAD] [UNK] [CLS] [SEP] [MASK]
const MASK = 4;

Deno.test("MLM masking: 15 % chosen, 80/10/10 rule, special tokens never chosen", () => {
  const random = new Random(1);
  const options = { maskId: MASK, vocabSize: 100, specialIds: SPECIAL, random };
  const counts = { chosen: 0, ordinary: 0, mask: 0, random: 0, same: 0 };
  for (let n = 0; n < 2000; n++) {
    const ids = [2, ...Array.from({ length: 20 }, () => 5 + random.int(95)), 3, 0, 0];
    const m = maskTokens(ids, options);
    counts.ordinary += 20;
    counts.chosen += m.positions.length;
    assertEquals(m.positions.length, 3); // round(0.15 × 20)
    for (const [k, p] of m.positions.entries()) {
      assert(!SPECIAL.has(ids[p]), `special token at ${p} was chosen`);
      assertEquals(m.labels[k], ids[p]);
      counts[m.actions[k]]++;
      if (m.actions[k] === "mask") assertEquals(m.input[p], MASK);
      if (m.actions[k] === "same") assertEquals(m.input[p], ids[p]);
      if (m.actions[k] === "random") assert(!SPECIAL.has(m.input[p]));
    }
    // Positions not chosen are untouched.
    ids.forEach((id, i) => m.positions.includes(i) || assertEquals(m.input[i], id));
  }
  assertEquals(counts.chosen / counts.ordinary, 0.15);
  const share = (k: "mask" | "random" | "same") => counts[k] / counts.chosen;
  assert(Math.abs(share("mask") - 0.8) < 0.02, `mask share ${share("mask")}`);
  assert(Math.abs(share("random") - 0.1) < 0.015, `random share ${share("random")}`);
  assert(Math.abs(share("same") - 0.1) < 0.015, `unchanged share ${share("same")}`);
  // At least one token per sequence, none when there is nothing ordinary.
  assertEquals(maskTokens([2, 7, 3], options).positions, [1]);
  assertEquals(maskTokens([2, 3], options).positions, []);
  assertThrows(() => maskTokens([2, 7, 3], { ...options, rate: 0 }), /masking rate must be in/);
});

Deno.test("MLM batch: flat positions index the padded batch", () => {
  const random = new Random(2);
  const options = {
    maskId: MASK,
    vocabSize: 50,
    specialIds: SPECIAL,
    random,
    mix: { mask: 1, random: 0 },
  };
  const seqs = [[2, 10, 11, 12, 13, 3], [2, 20, 21, 3]].map((ids) => maskTokens(ids, options));
  const batch = mlmBatch(seqs, 0);
  const ids = batch.ids.arraySync() as number[][];
  const flat = ids.flat();
  assertEquals(ids[1].slice(4), [0, 0]); // padded to 6
  assertEquals(
    Array.from(batch.positions.dataSync()).map((p) => flat[p]),
    seqs.flatMap((s) => s.labels.map(() => MASK)),
  );
  assertEquals(Array.from(batch.labels.dataSync()), seqs.flatMap((s) => s.labels));
  disposeMlmBatch(batch);
});
