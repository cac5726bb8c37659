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
import * as tf from "@tensorflow/tfjs";
import type { Module } from "../nn/module.ts";
import type { Random } from "../runtime/random.ts";

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
      if (isNotDone(error)) {
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
  if (!Number.isFinite(expected)) {
    throw new TypeError(`the course's expected value is ${expected}: a bug of the check itself`);
  }
  if (typeof actual !== "number" || Number.isNaN(actual)) {
    throw new TypeError(`expected a number, got ${String(actual)}`);
  }
  if (!(Math.abs(actual - expected) <= tolerance * (1 + Math.abs(expected)))) {
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

/**
 * A check that `actual` is an array of as many rows as `expected`, each within `tolerance` of
 * the row of `expected` at its index (as {@link expectAllClose}); the message names the row.
 */
export function expectRowsClose(
  actual: unknown,
  expected: readonly (readonly number[])[],
  tolerance: number,
): void {
  if (!Array.isArray(actual) || actual.length !== expected.length) {
    const got = Array.isArray(actual) ? `${actual.length} rows` : String(actual);
    throw new RangeError(`expected an array of ${expected.length} rows, got ${got}`);
  }
  expected.forEach((row, r) =>
    labelled(`row ${r}`, () => expectAllClose(actual[r], row, tolerance))
  );
}

/** `x` as JSON with every object's keys in order, so `{ a, b }` and `{ b, a }` read the same. */
function canonicalJSON(x: unknown): string {
  const sorted = (_key: string, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v;
  return JSON.stringify(x, sorted) ?? String(x);
}

/**
 * A check that `actual` equals `expected` (compared as JSON, so arrays and plain objects item by
 * item, whatever the order of an object's keys); the message names where they first differ, e.g.
 * "mask[2][3]: got 1, expected 0", led by `what`; `item` writes the values that differ (default:
 * as JSON).
 */
export function expectEqual(
  actual: unknown,
  expected: unknown,
  what = "",
  item: (x: unknown) => string = canonicalJSON,
): void {
  const json = canonicalJSON;
  const differ = (a: unknown, e: unknown, path: string): string | undefined => {
    if (json(a) === json(e)) return undefined;
    if (Array.isArray(a) && Array.isArray(e)) {
      if (a.length !== e.length) {
        const lengths = `${a.length} items, expected ${e.length}`;
        return `${path ? `${path}: ` : ""}${lengths}: got ${json(a)}, expected ${json(e)}`;
      }
      const i = e.findIndex((x, i) => json(a[i]) !== json(x));
      return differ(a[i], e[i], `${path}[${i}]`);
    }
    return `${path ? `${path}: ` : ""}got ${item(a)}, expected ${item(e)}`;
  };
  const where = differ(actual, expected, "");
  if (where !== undefined) {
    const lead = what === "" || where.startsWith("[") ? what : `${what}: `;
    throw new RangeError(lead + where);
  }
}

/** Whether `error` is a stub's {@link NotDoneError} (by class, or by name across module copies). */
export function isNotDone(error: unknown): boolean {
  return error instanceof NotDoneError || (error as Error | null)?.name === "NotDoneError";
}

/**
 * Run `check`; a failure's message is led by `what`, the part of the answer it was about. A
 * stub's {@link NotDoneError} passes through unchanged.
 */
export function labelled(what: string, check: () => void): void {
  try {
    check();
  } catch (error) {
    if (isNotDone(error)) throw error; // a stub: not done, not failed
    throw new RangeError(`${what}: ${error instanceof Error ? error.message : error}`);
  }
}

/**
 * Run `test` on each case in turn; the first that throws stops it with a message led by
 * `describe(case)`, so a learner sees which case went wrong. A stub's {@link NotDoneError} passes
 * through unchanged.
 */
export function eachCase<C>(
  cases: readonly C[],
  describe: (c: C) => string,
  test: (c: C) => void,
): void {
  for (const c of cases) labelled(describe(c), () => test(c));
}

/** One check run on many cases with {@link eachCase}. */
export function everyCase<C>(
  name: string,
  hint: string,
  cases: readonly C[],
  describe: (c: C) => string,
  test: (c: C) => void,
): ExerciseCheck {
  if (cases.length === 0) throw new RangeError(`the check "${name}" needs cases, got none`);
  return { name, hint, run: () => eachCase(cases, describe, test) };
}

/** `n` numbers drawn uniformly by `random` from [shift − scale, shift + scale): a check's case. */
export function uniformRow(random: Random, n: number, scale = 1, shift = 0): number[] {
  return Array.from({ length: n }, () => shift + scale * (2 * random.next() - 1));
}

/** A `rows × columns` matrix of {@link uniformRow}s around 0. */
export function uniformMatrix(
  random: Random,
  rows: number,
  columns: number,
  scale = 1,
): number[][] {
  return Array.from({ length: rows }, () => uniformRow(random, columns, scale));
}

/**
 * Give `module`'s weight matrices numbers drawn from N(0, std²) and its biases from
 * N(0, biasStd²), from `random` (gains keep theirs): layers for checks that come out the same
 * whatever the course's seed, with biases that count.
 */
export function drawExerciseWeights(
  module: Module,
  random: Random,
  std: number,
  biasStd = std,
): void {
  for (const [name, variable] of module.parameters()) {
    const kind = name.split(".").at(-1);
    const scale = kind === "weight" ? std : kind === "bias" ? biasStd : undefined;
    if (scale === undefined) continue;
    const values = Float32Array.from({ length: variable.size }, () => scale * random.normal());
    tf.tidy(() => variable.assign(tf.tensor(values, variable.shape)));
  }
}
