import { assert, assertAlmostEquals, assertEquals, assertThrows } from "../assert.ts";
import {
  argmax,
  generate,
  GPT,
  initCourse,
  nextTokenDistribution,
  setSeed,
} from "../../src/mod.ts";
import { TINY } from "../fixtures.ts";

await initCourse();

Deno.test("sampling: greedy, temperature, top-k, top-p; generation stops at the stop token", () => {
  const logits = [1, 3, 2, 0];
  assertEquals(argmax(logits), 1);
  assertEquals(Array.from(nextTokenDistribution(logits, { temperature: 0 })), [0, 1, 0, 0]);
  const topK = nextTokenDistribution(logits, { topK: 2 });
  assertEquals(topK.map((p) => (p > 0 ? 1 : 0)), Float64Array.from([0, 1, 1, 0]));
  assertAlmostEquals(topK[1], 1 / (1 + Math.exp(-1)), 1e-12);
  const topP = nextTokenDistribution(logits, { topP: 0.6 }); // p(1) ≈ 0.64 covers 0.6 alone
  assertEquals(Array.from(topP), [0, 1, 0, 0]);
  const flat = nextTokenDistribution(logits, { temperature: 100 });
  assert(Math.max(...flat) - Math.min(...flat) < 0.02);
  setSeed(13);
  const model = new GPT(TINY);
  const greedy = generate(model, [1], { maxNewTokens: 10, temperature: 0 });
  const stop = greedy[3];
  const stopped = generate(model, [1], { maxNewTokens: 10, temperature: 0, stopId: stop });
  assertEquals(stopped, greedy.slice(0, greedy.indexOf(stop) + 1));
  model.dispose();
});

Deno.test("min-p keeps the tokens at least minP × as likely as the top one, after temperature; with the other filters, a token stays only if all keep it", () => {
  const logits = [Math.log(0.5), Math.log(0.3), Math.log(0.15), Math.log(0.05)];
  const kept = (options: { minP: number; temperature?: number; topK?: number; topP?: number }) =>
    Array.from(nextTokenDistribution(logits, options), (p) => (p > 0 ? 1 : 0));
  assertEquals(kept({ minP: 0.5 }), [1, 1, 0, 0]); // 0.3 ≥ 0.25 > 0.15
  assertEquals(kept({ minP: 0.25 }), [1, 1, 1, 0]); // 0.15 ≥ 0.125 > 0.05
  assertEquals(kept({ minP: 0 }), [1, 1, 1, 1]);
  assertEquals(kept({ minP: 1 }), [1, 0, 0, 0]);
  // A token exactly minP × the top's stays: a tie with the top, at minP 1.
  assertEquals(Array.from(nextTokenDistribution([0, -1, 0], { minP: 1 })), [0.5, 0, 0.5]);
  // At T = 2 the distribution flattens: 0.05's token is √(0.05/0.5) ≈ 0.32 of the top's.
  assertEquals(kept({ minP: 0.3, temperature: 2 }), [1, 1, 1, 1]);
  assertEquals(kept({ minP: 0.3, topK: 2 }), [1, 1, 0, 0]);
  assertEquals(kept({ minP: 0.05, topP: 0.9 }), [1, 1, 1, 0]);
  const renormalised = nextTokenDistribution(logits, { minP: 0.5 });
  assertAlmostEquals(renormalised[0], 0.5 / 0.8, 1e-12);
  assertAlmostEquals(renormalised[1], 0.3 / 0.8, 1e-12);
  assertThrows(() => nextTokenDistribution(logits, { minP: 1.5 }), /minP must be in \[0, 1\]/);
  assertThrows(() => nextTokenDistribution(logits, { minP: -0.1 }), /minP must be in \[0, 1\]/);
});
