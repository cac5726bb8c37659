import { assert, assertAlmostEquals, assertEquals } from "../assert.ts";
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
