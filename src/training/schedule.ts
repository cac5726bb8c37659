/**
 * The learning-rate schedule: linear warm-up, then decay along a cosine or a straight line.
 *
 * Early on the weights are random and the gradients large and noisy, so the rate climbs from
 * near 0 to its peak over `warmup` steps; then it comes down to `min` at the last step, so the
 * model settles instead of bouncing around a minimum: along half a cosine (the default), which
 * stays near the peak longer and flattens out near the end, or along a straight line, which
 * spends more of the run at small rates.
 *
 * @module
 */
import {
  describeValue,
  requireInRange,
  requireNonNegativeInteger,
  requireOneOf,
  requirePositiveInteger,
} from "../runtime/checks.ts";

/** Settings of {@link learningRateAt}. */
export interface Schedule {
  /** Peak rate, reached at the end of warm-up. */
  max: number;
  /** Final rate, at the last step. */
  min: number;
  /** Warm-up steps. */
  warmup: number;
  /** Steps in all. */
  total: number;
  /** The shape of the decay after warm-up (default "cosine"). */
  decay?: "cosine" | "linear";
}

/**
 * The rate at `step` (0-based): `max · (step + 1) / warmup` during warm-up, then from `max` down
 * to `min` at step `total`, by `schedule.decay`.
 */
export function learningRateAt(step: number, schedule: Schedule): number {
  requireNonNegativeInteger("step", step);
  checkSchedule(schedule);
  const { max, min, warmup, total, decay = "cosine" } = schedule;
  if (step < warmup) return (max * (step + 1)) / warmup;
  const progress = Math.min(1, (step - warmup) / Math.max(1, total - warmup)); // 0 → 1
  return min + remainingShare(progress, decay) * (max - min);
}

/**
 * The largest learning rate accepted: AdamW moves each weight by about the rate at every step,
 * so a rate above 1 only sends the weights off to infinity.
 */
export const MAX_LEARNING_RATE = 1;

/**
 * Throw unless `schedule` makes sense: rates in [0, {@link MAX_LEARNING_RATE}] with `min` ≤
 * `max`, a whole number of warm-up steps ≥ 0, at least one step in all, and a known decay.
 */
export function checkSchedule(schedule: Schedule): void {
  requireInRange("schedule.max", schedule.max, 0, MAX_LEARNING_RATE);
  requireInRange("schedule.min", schedule.min, 0, MAX_LEARNING_RATE);
  if (schedule.min > schedule.max) {
    throw new RangeError(
      `schedule.min (${schedule.min}) must not exceed schedule.max (${schedule.max})`,
    );
  }
  requireNonNegativeInteger("schedule.warmup", schedule.warmup);
  requirePositiveInteger("schedule.total", schedule.total);
  requireOneOf("schedule.decay", schedule.decay ?? "cosine", ["cosine", "linear"]);
}

/** How much of the way from `min` to `max` the rate still is at `progress` (0 → 1) of the decay. */
function remainingShare(progress: number, decay: Schedule["decay"]): number {
  return decay === "linear" ? 1 - progress : 0.5 * (1 + Math.cos(Math.PI * progress));
}

/**
 * `recipe` shortened (or lengthened) to `steps` steps, its schedule stretched to match: how quick
 * mode and `--steps N` run a lesson's training with everything else as the recipe says.
 */
export function withSteps<S extends { steps: number; schedule: Schedule }>(
  recipe: S,
  steps: number,
): S {
  if (typeof steps !== "number" || !Number.isInteger(steps) || steps < 1) {
    throw new RangeError(`steps must be a whole number ≥ 1, got ${describeValue(steps)}`);
  }
  return { ...recipe, steps, schedule: { ...recipe.schedule, total: steps } };
}
