/**
 * Exercises: a stub the learner fills in, and a check that tests it against the course's own
 * version. A stub's body is {@link yourTurn} until it is written; {@link checkExercise} runs an
 * exercise's checks on the answer and reports, without ever throwing, whether it passed, which
 * checks failed (with a hint each), or that it is not done yet, so an untouched notebook still
 * runs from top to bottom.
 *
 * @module
 */
import { DISPLAY, type Displayable, type MediaBundle } from "../display/bundle.ts";

/** What a stub throws until the learner replaces its body. */
export class NotDoneError extends Error {
  override name = "NotDoneError";
}

/** A stub's body until the learner writes it: throws {@link NotDoneError} naming `what`. */
export function yourTurn(what: string): never {
  throw new NotDoneError(`${what}: your turn (replace the yourTurn line with your code)`);
}

/** One check of an answer: what it tests, what to look at if it fails, and the test. */
export interface ExerciseCheck {
  /** What the check tests and the value it expects, e.g. "Llama 3 8B, 2 bytes a number: 131072". */
  name: string;
  /** What to look at when it fails. */
  hint: string;
  /** Throws when the answer fails the check. */
  run(): void | Promise<void>;
}

/** An exercise: its title, and the checks of an answer of type `T` (a function, usually). */
export interface Exercise<T> {
  /** Its title, as the report begins. */
  title: string;
  /** The checks of `answer` (at least one). */
  checks(answer: T): ExerciseCheck[];
}

/** How an answer fared: every check passed, some failed, or the stub is still a stub. */
export type ExerciseStatus = "passed" | "failed" | "not done";

/** The outcome of one check. */
export interface CheckOutcome {
  /** The check's name. */
  name: string;
  /** Whether the answer passed it. */
  passed: boolean;
  /** Why it failed, where it failed. */
  message?: string;
  /** The check's hint, where it failed. */
  hint?: string;
}

/** What {@link checkExercise} found; displays as a few lines of text. */
export class ExerciseReport implements Displayable {
  constructor(
    readonly title: string,
    readonly status: ExerciseStatus,
    readonly outcomes: readonly CheckOutcome[],
    /** The stub's message, when it is not done. */
    readonly notDone?: string,
  ) {}

  /** The report as text: a line per check, ✓ or ✗ with the reason and the hint. */
  toString(): string {
    if (this.status === "not done") return `${this.title}: not done yet. ${this.notDone}`;
    const lines = this.outcomes.map((o) =>
      o.passed ? `  ✓ ${o.name}` : `  ✗ ${o.name}: ${o.message}\n    hint: ${o.hint}`
    );
    const passed = this.outcomes.filter((o) => o.passed).length;
    const verdict = this.status === "passed"
      ? `passed, all ${passed} checks`
      : `${passed} of ${this.outcomes.length} checks passed`;
    return [`${this.title}: ${verdict}`, ...lines].join("\n");
  }

  /** The text, for the notebook. */
  [DISPLAY](): MediaBundle {
    return { "text/plain": this.toString() };
  }
}

/**
 * Run `exercise`'s checks on `answer`. Never throws: a stub that calls {@link yourTurn} gives
 * "not done", any other error or a failed check gives "failed" with its message and hint.
 */
export async function checkExercise<T>(
  exercise: Exercise<T>,
  answer: T,
): Promise<ExerciseReport> {
  const message = (error: unknown) => error instanceof Error ? error.message : String(error);
  /** A failure of the exercise itself, not of the answer. */
  const courseBug = (name: string, why: string) =>
    new ExerciseReport(exercise.title, "failed", [
      { name, passed: false, message: why, hint: "report this as a bug of the course" },
    ]);
  let checks: ExerciseCheck[];
  try {
    checks = exercise.checks(answer);
  } catch (error) {
    return courseBug("setting up the checks", message(error));
  }
  if (checks.length === 0) return courseBug("the checks", "there are none");
  const outcomes: CheckOutcome[] = [];
  for (const check of checks) {
    try {
      await check.run();
      outcomes.push({ name: check.name, passed: true });
    } catch (error) {
      if (error instanceof NotDoneError || (error as Error | null)?.name === "NotDoneError") {
        return new ExerciseReport(exercise.title, "not done", [], message(error));
      }
      outcomes.push({ name: check.name, passed: false, message: message(error), hint: check.hint });
    }
  }
  const status = outcomes.every((o) => o.passed) ? "passed" : "failed";
  return new ExerciseReport(exercise.title, status, outcomes);
}

/**
 * A check that `actual` is `expected`, or within `tolerance` of it for numbers (relative to
 * 1 + |expected|); throws saying both otherwise.
 */
export function expectClose(actual: unknown, expected: number, tolerance = 0): void {
  if (typeof actual !== "number" || Number.isNaN(actual)) {
    throw new TypeError(`expected a number, got ${String(actual)}`);
  }
  if (Math.abs(actual - expected) > tolerance * (1 + Math.abs(expected))) {
    throw new RangeError(`got ${actual}, expected ${expected}`);
  }
}

/**
 * A check that `actual` is an array of numbers within `tolerance` of `expected`, number by number
 * (relative to 1 + |expected|).
 */
export function expectAllClose(
  actual: unknown,
  expected: readonly number[],
  tolerance: number,
): void {
  if (!Array.isArray(actual) || actual.length !== expected.length) {
    const got = Array.isArray(actual) ? `${actual.length} numbers` : String(actual);
    throw new RangeError(`expected an array of ${expected.length} numbers, got ${got}`);
  }
  actual.forEach((value, i) => {
    const close = Math.abs(value - expected[i]) <= tolerance * (1 + Math.abs(expected[i]));
    if (typeof value !== "number" || !close) {
      throw new RangeError(`at index ${i}: got ${value}, expected ${expected[i].toPrecision(6)}`);
    }
  });
}
