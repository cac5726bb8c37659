import { assertAlmostEquals, assertEquals, assertThrows } from "../assert.ts";
import { binaryMetrics, confusionMatrix } from "../../src/mod.ts";

// 10 examples, positive = 1:
//   actual     1 1 1 1 1 0 0 0 0 0
//   predicted  1 1 1 0 0 1 0 0 0 0
// → TP 3 (first three), FN 2, FP 1, TN 4.
const ACTUAL = [1, 1, 1, 1, 1, 0, 0, 0, 0, 0];
const PREDICTED = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0];

Deno.test("confusionMatrix: rows are actual classes, columns predicted", () => {
  assertEquals(confusionMatrix(PREDICTED, ACTUAL, 2), [[4, 1], [2, 3]]);
  // Three classes: actual 0 → predicted 0, 1; actual 2 → predicted 2, 2, 1.
  assertEquals(confusionMatrix([0, 1, 2, 2, 1], [0, 0, 2, 2, 2], 3), [[1, 1, 0], [0, 0, 0], [
    0,
    1,
    2,
  ]]);
  assertEquals(confusionMatrix(new Int32Array([1]), new Float64Array([1]), 2), [[0, 0], [0, 1]]);
});

Deno.test("binaryMetrics on a hand-counted case", () => {
  const m = binaryMetrics(PREDICTED, ACTUAL);
  assertEquals(
    [m.truePositives, m.falsePositives, m.falseNegatives, m.trueNegatives, m.count],
    [3, 1, 2, 4, 10],
  );
  assertAlmostEquals(m.accuracy, 0.7, 1e-12); // (3 + 4) / 10
  assertAlmostEquals(m.precision, 0.75, 1e-12); // 3 / (3 + 1)
  assertAlmostEquals(m.recall, 0.6, 1e-12); // 3 / (3 + 2)
  assertAlmostEquals(m.f1, 2 / 3, 1e-12); // 2 · 0.75 · 0.6 / 1.35 = 0.9 / 1.35
  // Class 0 as positive: TP 4, FP 2, FN 1 → precision 4/6, recall 4/5, F1 2·(2/3)(4/5)/(22/15) = 8/11.
  const ham = binaryMetrics(PREDICTED, ACTUAL, 0);
  assertEquals([ham.truePositives, ham.falsePositives, ham.falseNegatives], [4, 2, 1]);
  assertAlmostEquals(ham.precision, 2 / 3, 1e-12);
  assertAlmostEquals(ham.recall, 0.8, 1e-12);
  assertAlmostEquals(ham.f1, 8 / 11, 1e-12);
});

Deno.test("binaryMetrics: a score with a zero denominator is 0", () => {
  // Nothing predicted positive: precision 0/0 → 0, recall 0/2 = 0, F1 → 0.
  const none = binaryMetrics([0, 0, 0], [1, 1, 0]);
  assertEquals([none.precision, none.recall, none.f1], [0, 0, 0]);
  assertAlmostEquals(none.accuracy, 1 / 3, 1e-12);
  // No positives at all: recall 0/0 → 0; all predicted right, so accuracy 1.
  const noPositives = binaryMetrics([0, 0], [0, 0]);
  assertEquals([noPositives.accuracy, noPositives.recall, noPositives.f1], [1, 0, 0]);
  assertEquals(binaryMetrics([], []).accuracy, 0);
  // Perfect: everything 1.
  const perfect = binaryMetrics([1, 0], [1, 0]);
  assertEquals([perfect.accuracy, perfect.precision, perfect.recall, perfect.f1], [1, 1, 1, 1]);
});

Deno.test("classification metrics reject mismatched lengths and classes out of range", () => {
  assertThrows(() => confusionMatrix([0, 1], [0], 2), /2 predictions for 1 actual classes/);
  assertThrows(
    () => confusionMatrix([0, 2], [0, 1], 2),
    /predicted\[1\] is 2: expected an integer class in \[0, 2\)/,
  );
  assertThrows(
    () => binaryMetrics([0, 1], [0.5, 1]),
    /actual\[0\] is 0.5: expected an integer class/,
  );
  assertThrows(() => confusionMatrix([0], [0], 0), /numClasses must be a positive integer, got 0/);
});
