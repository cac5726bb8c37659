/**
 * The learning-rate schedule: linear warm-up, then cosine decay.
 *
 * Early on the weights are random and the gradients large and noisy, so the rate climbs from
 * near 0 to its peak over `warmup` steps; then it follows half a cosine down to `min` at the last
 * step, so the model settles instead of bouncing around a minimum.
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
}

/** The rate at `step` (0-based): `max · (step + 1) / warmup` during warm-up, then cosine to `min`. */
export function learningRateAt(step: number, schedule: Schedule): number {
  const { max, min, warmup, total } = schedule;
  if (step < warmup) return (max * (step + 1)) / warmup;
  const progress = (step - warmup) / Math.max(1, total - warmup);
  return min + 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress))) * (max - min);
}
