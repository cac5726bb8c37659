import { assert, assertEquals } from "../assert.ts";
import {
  checkExercise,
  type Exercise,
  expectAllClose,
  expectClose,
  yourTurn,
} from "../../src/mod.ts";

/** An exercise on a function of one number: checked at 2 and at 3 against doubling. */
const DOUBLE: Exercise<(n: number) => number> = {
  title: "doubling",
  checks: (answer) =>
    [2, 3].map((n) => ({
      name: `double ${n} is ${2 * n}`,
      hint: "multiply by 2",
      run: () => expectClose(answer(n), 2 * n),
    })),
};

Deno.test("checkExercise: passed, failed with reason and hint, or not done; never throws", async () => {
  const passed = await checkExercise(DOUBLE, (n) => 2 * n);
  assertEquals(passed.status, "passed");
  assertEquals(
    String(passed),
    "doubling: passed, all 2 checks\n  ✓ double 2 is 4\n  ✓ double 3 is 6",
  );
  const failed = await checkExercise(DOUBLE, (n) => n + 2);
  assertEquals(failed.status, "failed");
  assertEquals(
    String(failed),
    "doubling: 1 of 2 checks passed\n  ✓ double 2 is 4\n" +
      "  ✗ double 3 is 6: got 5, expected 6\n    hint: multiply by 2",
  );
  const notDone = await checkExercise(DOUBLE, () => yourTurn("double"));
  assertEquals(notDone.status, "not done");
  assert(String(notDone).startsWith("doubling: not done yet. double: your turn"), String(notDone));
  const thrown = await checkExercise(DOUBLE, () => {
    throw new Error("a bug of the learner's");
  });
  assertEquals(thrown.outcomes.map((o) => o.message), Array(2).fill("a bug of the learner's"));
});

Deno.test("checkExercise: an exercise whose checks cannot be made, or has none, fails", async () => {
  const broken = await checkExercise({
    title: "broken",
    checks: () => {
      throw new Error("no data");
    },
  }, 0);
  assertEquals([broken.status, broken.outcomes[0].message], ["failed", "no data"]);
  const empty = await checkExercise({ title: "empty", checks: () => [] }, 0);
  assertEquals([empty.status, empty.outcomes[0].message], ["failed", "there are none"]);
});

Deno.test("expectClose and expectAllClose say what they got and what they expected", () => {
  const message = (f: () => void) => {
    try {
      f();
      return "";
    } catch (error) {
      return (error as Error).message;
    }
  };
  assertEquals(message(() => expectClose(1.0001, 1, 1e-3)), "");
  assertEquals(message(() => expectClose("1", 1)), "expected a number, got 1");
  assertEquals(message(() => expectClose(2, 1)), "got 2, expected 1");
  assertEquals(
    message(() => expectAllClose([1, 2], [1, 2, 3], 0)),
    "expected an array of 3 numbers, got 2 numbers",
  );
  assertEquals(
    message(() => expectAllClose([1, 2.5], [1, 2], 0.1)),
    "at index 1: got 2.5, expected 2.00000",
  );
});
