/**
 * Quick mode: the switch between a full run of the course and the test suite's short one.
 *
 * `deno task test` sets `COURSE_QUICK=1` before it executes the notebooks. Cells that train for
 * minutes read {@link quickMode} and then load the shipped checkpoint or train only a few steps,
 * so every notebook still runs top to bottom, fast. `deno task course` leaves it unset.
 *
 * @module
 */

/** The environment variable that turns quick mode on (`1` or `true`). */
export const QUICK_ENV = "COURSE_QUICK";

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
