import { assertEquals, assertThrows } from "../assert.ts";
import { earlyStopping } from "../../src/training/early_stopping.ts";
import type { TrainingRecord } from "../../src/mod.ts";

/** A history with a validation loss every second step, from `vals`. */
function history(vals: number[]): TrainingRecord[] {
  return vals.flatMap((val, k) => [
    { step: 2 * k, train: 3, learningRate: 1e-3 },
    { step: 2 * k + 1, train: 3, val, learningRate: 1e-3 },
  ]);
}

Deno.test("early stopping: the lowest validation loss, and where patience runs out", () => {
  const h = history([3.0, 2.5, 2.2, 2.3, 2.25, 2.4, 2.6, 2.1]);
  // Lowest 2.2 at step 5; then 3 measurements without a lower one: stop at step 11.
  assertEquals(earlyStopping(h, 3), { bestStep: 5, bestVal: 2.2, stopStep: 11 });
  // With more patience, the late 2.1 at step 15 is reached and training never stops.
  assertEquals(earlyStopping(h, 5), { bestStep: 15, bestVal: 2.1 });
  // A tie is no improvement.
  assertEquals(earlyStopping(history([2, 2, 2]), 2), { bestStep: 1, bestVal: 2, stopStep: 5 });
});

Deno.test("early stopping: bad patience or a history without validation losses is refused", () => {
  assertThrows(() => earlyStopping(history([2]), 0), /patience must be a positive integer, got 0/);
  assertThrows(
    () => earlyStopping([{ step: 0, train: 3, learningRate: 1e-3 }], 2),
    /needs a history with validation losses; it has none/,
  );
});
