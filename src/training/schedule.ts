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
  const { max, min, warmup, total, decay = "cosine" } = schedule;
  if (step < warmup) return (max * (step + 1)) / warmup;
  const progress = Math.min(1, (step - warmup) / Math.max(1, total - warmup)); // 0 → 1
  return min + remainingShare(progress, decay) * (max - min);
}

/** How much of the way from `min` to `max` the rate still is at `progress` (0 → 1) of the decay. */
function remainingShare(progress: number, decay: Schedule["decay"]): number {
  if (decay === "linear") return 1 - progress;
  if (decay === "cosine") return 0.5 * (1 + Math.cos(Math.PI * progress));
  throw new RangeError(`schedule.decay must be "cosine" or "linear", got ${JSON.stringify(decay)}`);
}

/**
 * `recipe` shortened (or lengthened) to `steps` steps, its schedule stretched to match: how quick
 * mode and `--steps N` run a lesson's training with everything else as the recipe says.
 */
export function withSteps<S extends { steps: number; schedule: Schedule }>(
  recipe: S,
  steps: number,
): S {
  if (!Number.isInteger(steps) || steps < 1) {
    throw new RangeError(`steps must be a whole number ≥ 1, got ${steps}`);
  }
  return { ...recipe, steps, schedule: { ...recipe.schedule, total: steps } };
}
