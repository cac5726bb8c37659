/**
 * Quick mode: the switch between a full run of the course and the test suite's short one.
 *
 * `deno task test` sets `COURSE_QUICK=1` before it executes the notebooks. Cells that train for
 * minutes read {@link quickMode} and then train only {@link QUICK_TRAINING_STEPS} steps, through
 * the same call a full run makes, before they load the shipped checkpoint for the results, so
 * every notebook still runs top to bottom, fast, and its training path still runs.
 * `deno task course` leaves it unset.
 *
 * @module
 */

/** The environment variable that turns quick mode on (`1` or `true`). */
export const QUICK_ENV = "COURSE_QUICK";

/** Steps a training lesson takes in quick mode before it loads its shipped checkpoint. */
export const QUICK_TRAINING_STEPS = 30;

/** True when the course runs in quick mode (see the module doc). */
export function quickMode(): boolean {
  const value = readEnv(QUICK_ENV)?.trim().toLowerCase();
  return value === "1" || value === "true";
}

function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // no --allow-env: treat as unset
  }
}
