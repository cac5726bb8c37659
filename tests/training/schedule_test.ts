import { assertAlmostEquals, assertEquals, assertThrows } from "../assert.ts";
import { learningRateAt, withSteps } from "../../src/mod.ts";

Deno.test("schedule: warm-up then cosine, hand-computed points", () => {
  const s = { max: 1e-3, min: 1e-4, warmup: 100, total: 2000 };
  assertAlmostEquals(learningRateAt(0, s), 1e-5, 1e-12);
  assertAlmostEquals(learningRateAt(99, s), 1e-3, 1e-12);
  assertAlmostEquals(learningRateAt(100, s), 1e-3, 1e-12);
  assertAlmostEquals(learningRateAt(1050, s), 5.5e-4, 1e-12); // halfway down the cosine
  assertAlmostEquals(learningRateAt(2000, s), 1e-4, 1e-12);
});

Deno.test("schedule: linear decay, hand-computed points", () => {
  const s = { max: 1e-3, min: 1e-4, warmup: 100, total: 2000, decay: "linear" as const };
  assertAlmostEquals(learningRateAt(99, s), 1e-3, 1e-12);
  assertAlmostEquals(learningRateAt(575, s), 7.75e-4, 1e-12); // a quarter of the way down
  assertAlmostEquals(learningRateAt(1050, s), 5.5e-4, 1e-12); // halfway, as the cosine
  assertAlmostEquals(learningRateAt(1525, s), 3.25e-4, 1e-12); // the cosine is at ~2.3e-4 here
  assertAlmostEquals(learningRateAt(2000, s), 1e-4, 1e-12);
  assertThrows(
    () => learningRateAt(500, { ...s, decay: "step" as "linear" }),
    /decay must be "cosine" or "linear", got "step"/,
  );
});

Deno.test("withSteps: the recipe at another length, its schedule stretched to match", () => {
  const recipe = {
    steps: 2000,
    batchSize: 12,
    schedule: { max: 1e-3, min: 1e-4, warmup: 100, total: 2000 },
  };
  const short = withSteps(recipe, 30);
  assertEquals(short, { ...recipe, steps: 30, schedule: { ...recipe.schedule, total: 30 } });
  assertEquals(recipe.steps, 2000, "the recipe itself is left as it was");
  for (const bad of [0, -3, 2.5, NaN]) {
    assertThrows(() => withSteps(recipe, bad), /steps must be a whole number ≥ 1/);
  }
});
