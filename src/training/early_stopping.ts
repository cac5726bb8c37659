/**
 * Early stopping: stop training once the validation loss has stopped improving, and keep the
 * model from the step where it was lowest. Once the model starts to learn its training text by
 * heart, the validation loss turns up; training on only makes the model worse on new text. A rule
 * of thumb stops when the validation loss has not improved for `patience` measurements in a row.
 * Done for real, during training, a loop saves a copy of the weights at each new lowest
 * validation loss, stops when patience runs out, and restores the saved copy.
 *
 * {@link earlyStopping} trains nothing and saves no weights: it reads a finished history as early
 * stopping would have, to find where it would have stopped and which step's model it would have
 * kept.
 *
 * @module
 */
import { requirePositiveInteger } from "../runtime/checks.ts";
import type { TrainingRecord } from "./train_loop.ts";

/** What {@link earlyStopping} finds in a training history. */
export interface EarlyStop {
  /** The step (0-based) of the lowest validation loss seen before stopping. */
  bestStep: number;
  /** That validation loss. */
  bestVal: number;
  /**
   * The step at which `patience` measurements in a row brought no new lowest loss, where
   * training would have stopped; undefined if that never happened.
   */
  stopStep?: number;
}

/**
 * Read `history` as early stopping would have: the lowest validation loss, and the step where
 * `patience` measurements without a lower one would have stopped training (the lowest is then
 * the lowest before that step). A loss that is not a finite number (training diverged) counts
 * as no improvement.
 */
export function earlyStopping(history: readonly TrainingRecord[], patience: number): EarlyStop {
  requirePositiveInteger("patience", patience);
  let best: { step: number; val: number } | undefined;
  let sinceBest = 0;
  for (const { step, val } of history) {
    if (val === undefined) continue;
    if (Number.isFinite(val) && (best === undefined || val < best.val)) {
      best = { step, val };
      sinceBest = 0;
    } else if (best !== undefined && ++sinceBest === patience) {
      return { bestStep: best.step, bestVal: best.val, stopStep: step };
    }
  }
  if (best === undefined) {
    throw new RangeError("early stopping needs a history with validation losses; it has none");
  }
  return { bestStep: best.step, bestVal: best.val };
}
