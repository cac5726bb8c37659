import { assert, assertEquals } from "../assert.ts";
import {
  checkExercise,
  everyCase,
  type Exercise,
  expectAllClose,
  expectClose,
  expectEqual,
  expectRowsClose,
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

/** The message `f` throws, or "" if it does not. */
function message(f: () => void): string {
  try {
    f();
    return "";
  } catch (error) {
    return (error as Error).message;
  }
}

Deno.test("expectClose and expectAllClose say what they got and what they expected", () => {
  assertEquals(message(() => expectClose(1.0001, 1, 1e-3)), "");
  assertEquals(message(() => expectClose("1", 1)), "expected a number, got 1");
  assertEquals(message(() => expectClose(2, 1)), "got 2, expected 1");
  assertEquals(message(() => expectClose(2, 1, Infinity)), "", "a tolerance may be infinite");
  for (const bad of [undefined, NaN, Infinity]) {
    assertEquals(
      message(() => expectClose(2, bad as number)),
      `the course's expected value is ${bad}: a bug of the check itself`,
      "an expected value that is not a finite number can never let an answer pass",
    );
  }
  assertEquals(
    message(() => expectAllClose([1, 2], [1, 2, 3], 0)),
    "expected an array of 3 numbers, got 2 numbers",
  );
  assertEquals(
    message(() => expectAllClose([1, 2.5], [1, 2], 0.1)),
    "at index 1: got 2.5, expected 2.00000",
  );
});

Deno.test("expectRowsClose names the row that is off, and a wrong number of rows", () => {
  assertEquals(message(() => expectRowsClose([[1, 2], [3, 4.0001]], [[1, 2], [3, 4]], 1e-3)), "");
  assertEquals(
    message(() => expectRowsClose([[1, 2]], [[1, 2], [3, 4]], 0)),
    "expected an array of 2 rows, got 1 rows",
  );
  assertEquals(message(() => expectRowsClose(7, [[1]], 0)), "expected an array of 1 rows, got 7");
  assertEquals(
    message(() => expectRowsClose([[1, 2], [3, 5]], [[1, 2], [3, 4]], 0.1)),
    "row 1: at index 1: got 5, expected 4.00000",
  );
  assertEquals(
    message(() => expectRowsClose([[1, 2], [3]], [[1, 2], [3, 4]], 0)),
    "row 1: expected an array of 2 numbers, got 1 numbers",
  );
});

Deno.test("expectEqual compares as JSON and names where the answer first differs", () => {
  assertEquals(message(() => expectEqual([[1, 0], [1, 1]], [[1, 0], [1, 1]], "mask")), "");
  assertEquals(
    message(() => expectEqual([[1, 0], [1, 0]], [[1, 0], [1, 1]], "mask")),
    "mask[1][1]: got 0, expected 1",
  );
  assertEquals(
    message(() => expectEqual([1, 2], [1, 2, 3])),
    "2 items, expected 3: got [1,2], expected [1,2,3]",
  );
  assertEquals(message(() => expectEqual(undefined, 3, "ids")), "ids: got undefined, expected 3");
  assertEquals(
    message(() =>
      expectEqual([{ content: "hi", role: "user" }], [{ role: "user", content: "hi" }])
    ),
    "",
    "an object's keys may come in any order",
  );
  assertEquals(
    message(() => expectEqual([5], [6], "", (id) => `#${id}`)),
    "[0]: got #5, expected #6",
  );
});

Deno.test("everyCase runs every case, fails on the first that throws, naming it, and lets a stub through as not done", async () => {
  const halving = {
    title: "halving",
    checks: (answer: (n: number) => number) => [
      everyCase("2, 4 and 6", "divide by 2", [2, 4, 6], (n) => `n = ${n}`, (n) => {
        expectClose(answer(n), n / 2);
      }),
    ],
  };
  assertEquals((await checkExercise(halving, (n) => n / 2)).status, "passed");
  const wrong = await checkExercise(halving, (n) => (n === 4 ? 3 : n / 2));
  assertEquals(wrong.outcomes[0].message, "n = 4: got 3, expected 2");
  assertEquals((await checkExercise(halving, () => yourTurn("half"))).status, "not done");
  let message = "";
  try {
    everyCase("none", "", [], String, () => {});
  } catch (error) {
    message = (error as Error).message;
  }
  assertEquals(message, 'the check "none" needs cases, got none');
});
