import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertThrows } from "../assert.ts";
import {
  beamSearch,
  beamSearchMany,
  EncoderDecoder,
  greedyDecode,
  initCourse,
  Random,
  setSeed,
} from "../../src/mod.ts";
import { beamSearchOver, type NextLogProbs } from "../../src/generation/seq2seq_decode.ts";
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

/** A toy "model": the next token's probabilities after each prefix (<end> 0, A 1, B 2, <start> 3). */
const TOY: Record<string, number[]> = {
  "3": [0.1, 0.5, 0.4],
  "3,1": [0.3, 0.45, 0.25],
  "3,2": [0.9, 0.06, 0.04],
};
const toyNext: NextLogProbs = (beams) =>
  beams.map((b) => (TOY[b.tokens.join()] ?? [0.5, 0.3, 0.2]).map(Math.log));

Deno.test("beam search over a table: greedy writes A A (p 0.11), two beams find B (p 0.36)", () => {
  const options = { startId: 3, endId: 0, maxLength: 5 };
  assertEquals(beamSearchOver(1, toyNext, { ...options, beamWidth: 1 }), [[1, 1]]);
  for (const lengthPenalty of [0, 1]) {
    assertEquals(beamSearchOver(1, toyNext, { ...options, beamWidth: 2, lengthPenalty }), [[2]]);
  }
  // Two sources share the scorer's calls, each keeping its own beams.
  const twice: NextLogProbs = (beams) =>
    beams.map((b) => b.source === 0 ? toyNext([b])[0] : [0.2, 0.1, 0.7].map(Math.log));
  assertEquals(beamSearchOver(2, twice, { ...options, beamWidth: 2 }), [[2], [2, 2, 2, 2, 2]]);
  assertThrows(
    () => beamSearchOver(1, () => [], { ...options, beamWidth: 2 }),
    /the scorer gave 0 rows for 1 beams/,
  );
  assertThrows(() => beamSearchOver(1, toyNext, { ...options, beamWidth: 0 }), /beamWidth/);
  // Probabilities of 0 (log −∞) rank last, in their order: the likely tokens are still found.
  const zeros: NextLogProbs = (beams) =>
    beams.map((b) => (b.tokens.length === 1 ? [0, 0, 1, 0] : [1, 0, 0, 0]).map(Math.log));
  assertEquals(beamSearchOver(1, zeros, { ...options, beamWidth: 3 }), [[2]]);
});

Deno.test("beam search with beams enough for every output and no length penalty finds the most likely output (brute force)", () => {
  const random = new Random(5);
  for (let trial = 0; trial < 20; trial++) {
    const V = 3 + random.int(2); // <end> is 0; <start> is V, never written
    const maxLength = 2 + random.int(2);
    const rows = new Map<string, number[]>();
    const row = (tokens: readonly number[]) => {
      const key = tokens.join();
      if (!rows.has(key)) {
        const e = Array.from({ length: V }, () => Math.exp(2 * random.normal()));
        const total = e.reduce((s, x) => s + x, 0);
        rows.set(key, e.map((x) => Math.log(x / total)));
      }
      return rows.get(key)!;
    };
    // Every output: some tokens then <end>, or maxLength tokens without it.
    let best = { logProb: -Infinity, output: [] as number[] };
    const visit = (tokens: number[], logProb: number) => {
      const written = tokens.length - 1;
      for (let v = 0; v < V; v++) {
        const next = logProb + row(tokens)[v];
        if (v === 0 || written + 1 === maxLength) {
          const output = v === 0 ? tokens.slice(1) : [...tokens.slice(1), v];
          if (next > best.logProb) best = { logProb: next, output };
        } else visit([...tokens, v], next);
      }
    };
    visit([V], 0);
    const options = {
      startId: V,
      endId: 0,
      maxLength,
      beamWidth: V ** maxLength,
      lengthPenalty: 0,
    };
    const found = beamSearchOver(1, (beams) => beams.map((b) => row(b.tokens)), options)[0];
    assertEquals(found, best.output, `trial ${trial}`);
  }
});
