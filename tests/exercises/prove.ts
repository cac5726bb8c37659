/**
 * What every lesson's exercise test proves: each check passes on the solution, fails on a wrong
 * answer, and reports "not done" on a stub; and the committed notebook shows each of its exercises
 * once, as "not done yet" (it holds stubs, not solutions).
 *
 * @module
 */
import { assert, assertEquals } from "../assert.ts";
import { checkExercise, type Exercise } from "../../src/mod.ts";

/**
 * Check that every check of `exercise` passes on `solution`, fails on `wrong` (an answer wrong
 * everywhere), and that `stub` is "not done"; at least `minChecks` checks.
 */
export async function proveChecks<T>(
  name: string,
  exercise: Exercise<T>,
  solution: T,
  wrong: T,
  stub: T,
  minChecks = 3,
): Promise<void> {
  const solved = await checkExercise(exercise, solution);
  assertEquals(solved.status, "passed", `${name}: ${solved}`);
  assert(solved.outcomes.length >= minChecks, `${name}: only ${solved.outcomes.length} checks`);
  const failed = await checkExercise(exercise, wrong);
  assertEquals(failed.status, "failed", `${name}: ${failed}`);
  assert(failed.outcomes.every((o) => !o.passed && o.hint), `${name}: a check passed: ${failed}`);
  const notDone = await checkExercise(exercise, stub);
  assertEquals(notDone.status, "not done", `${name}: ${notDone}`);
  assert(String(notDone).includes("not done yet"), String(notDone));
}

/** Check that `answer` fails some check of `exercise` (a typical mistake is caught). */
export async function proveCaught<T>(name: string, exercise: Exercise<T>, answer: T) {
  const report = await checkExercise(exercise, answer);
  assertEquals(report.status, "failed", `${name} is not caught: ${report}`);
}

/**
 * Check that the committed `notebooks/<notebook>` shows each of `exercises` exactly once, and as
 * "not done yet".
 */
export async function proveNotebookStubs(
  notebook: string,
  exercises: Record<string, Exercise<never>>,
): Promise<void> {
  const parsed = JSON.parse(
    await Deno.readTextFile(new URL(`../../notebooks/${notebook}`, import.meta.url)),
  ) as { cells: { cell_type: string; outputs?: { data?: Record<string, string | string[]> }[] }[] };
  const texts = parsed.cells.flatMap((cell) =>
    (cell.outputs ?? []).map((o) => [o.data?.["text/plain"] ?? ""].flat().join(""))
  );
  for (const exercise of Object.values(exercises)) {
    const report = texts.filter((text) => text.startsWith(exercise.title));
    assertEquals(report.length, 1, `${exercise.title}: ${report.length} reports in ${notebook}`);
    assert(report[0].includes("not done yet"), report[0]);
  }
}
