/**
 * Checks of plain numbers and ids shared by every layer of the course, with messages that say
 * what was wrong and what was expected. (Checks of tensors and model shapes are in
 * `nn/checks.ts`.)
 *
 * @module
 */

/** The most numbers one tensor may hold (2^28, 1 GiB of float32): a larger request is a typo. */
export const MAX_TENSOR_SIZE = 2 ** 28;

/** Ids travel in int32 tensors: every id is below 2^31 (and an ignore id at least −2^31). */
export const INT32_LIMIT = 2 ** 31;

/** A value as an error message shows it: numbers as JavaScript writes them, others as JSON. */
export function describeValue(value: unknown): string {
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (value === undefined) return "undefined";
  if (typeof value === "function") return "a function";
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Throw `"<what> must be a positive integer, got <value>"` unless `value` is one, and
 * `"<what> must be at most <max>, got <value>"` if it is larger than `max`.
 */
export function requirePositiveInteger(
  what: string,
  value: unknown,
  max = Number.MAX_SAFE_INTEGER,
): asserts value is number {
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
    throw new RangeError(`${what} must be a positive integer, got ${describeValue(value)}`);
  }
  if (value > max) throw new RangeError(`${what} must be at most ${max}, got ${value}`);
}

/** Throw unless `value` is an integer ≥ 0 (a count that may be zero). */
export function requireNonNegativeInteger(what: string, value: unknown): asserts value is number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new RangeError(`${what} must be an integer ≥ 0, got ${describeValue(value)}`);
  }
}

/**
 * Throw unless `value` is an int32 integer, of either sign (ignore ids such as −1 are allowed):
 * one in [−2^31, 2^31).
 */
export function requireInteger(what: string, value: unknown): asserts value is number {
  if (
    typeof value !== "number" || !Number.isInteger(value) || value < -INT32_LIMIT ||
    value >= INT32_LIMIT
  ) {
    throw new RangeError(
      `${what} must be an integer in [−2^31, 2^31) (an int32), got ${describeValue(value)}`,
    );
  }
}

/** Throw unless `value` is one of `options` (strings), listing them. */
export function requireOneOf<T extends string>(
  what: string,
  value: unknown,
  options: readonly T[],
): asserts value is T {
  if (!options.includes(value as T)) {
    const quoted = options.map((o) => JSON.stringify(o));
    const list = quoted.length > 1
      ? `${quoted.slice(0, -1).join(", ")} or ${quoted.at(-1)}`
      : quoted.join("");
    throw new RangeError(`${what} must be ${list}, got ${describeValue(value)}`);
  }
}

/** Throw unless `value` is a boolean (JSON's `"false"` is a string, and would count as true). */
export function requireBoolean(what: string, value: unknown): asserts value is boolean {
  if (typeof value !== "boolean") {
    throw new TypeError(`${what} must be true or false, got ${describeValue(value)}`);
  }
}

/**
 * Throw unless `value` is a number in the interval from `low` to `high`; `bounds` says which
 * ends belong to it, as in mathematics: "[]" both, "[)" the low one, "(]" the high one, "()"
 * neither. `Infinity` as `high` with "]" admits +∞; NaN is never in an interval.
 */
export function requireInRange(
  what: string,
  value: unknown,
  low: number,
  high: number,
  bounds: "[]" | "[)" | "(]" | "()" = "[]",
): asserts value is number {
  const inside = typeof value === "number" &&
    (bounds[0] === "[" ? value >= low : value > low) &&
    (bounds[1] === "]" ? value <= high : value < high);
  if (!inside) {
    const end = (x: number) => (x === Infinity ? "∞" : x === -Infinity ? "−∞" : String(x));
    throw new RangeError(
      `${what} must be in ${bounds[0]}${end(low)}, ${end(high)}${bounds[1]}, got ${
        describeValue(value)
      }`,
    );
  }
}

/** Throw unless `value` is a finite number > 0 (a scale, a standard deviation, an ε). */
export function requirePositiveNumber(what: string, value: unknown): asserts value is number {
  requireInRange(what, value, 0, Infinity, "()");
}

/** Throw unless `value` is an id below `limit`: an integer in `[0, limit)`. */
export function requireId(what: string, value: unknown, limit: number): asserts value is number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value >= limit) {
    throw new RangeError(
      `${what} must be an integer in [0, ${limit}), got ${describeValue(value)}`,
    );
  }
}

/**
 * Throw unless every id is an integer in `[0, limit)` (by default any int32 id, below 2^31) — or
 * equal to `except`, when given (an ignore id). The message names the first bad id and its
 * position: `"<what> 7 (position 2) is not an integer in [0, 5)"`.
 */
export function requireIds(
  what: string,
  ids: ArrayLike<unknown>,
  limit = INT32_LIMIT,
  except?: number,
): void {
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    const ok = typeof id === "number" && Number.isInteger(id) && id >= 0 && id < limit;
    if (!ok && id !== except) {
      const range = limit === INT32_LIMIT ? "in [0, 2^31) (an int32 id)" : `in [0, ${limit})`;
      const or = except === undefined ? "" : ` (or the ignore id ${except})`;
      throw new RangeError(
        `${what} ${describeValue(id)} (position ${i}) is not an integer ${range}${or}`,
      );
    }
  }
}

/** Throw unless a tensor of `shape` holds at most {@link MAX_TENSOR_SIZE} numbers. */
export function requireTensorSize(what: string, shape: readonly number[]): void {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size > MAX_TENSOR_SIZE) {
    throw new RangeError(
      `${what} [${
        shape.join(" × ")
      }] would hold ${size} numbers, more than the ${MAX_TENSOR_SIZE} ` +
        "(2^28) one tensor may hold",
    );
  }
}

/**
 * The fields of `value` (named with `prefix`) that are not of the type `fields` gives them, each
 * as "prefix.key (a number)": for checking a results file read from disk.
 */
function wrongFields(
  value: unknown,
  prefix: string,
  fields: FieldTypes,
): string[] {
  const record = typeof value === "object" && value !== null
    ? value as Record<string, unknown>
    : {};
  return [
    ...fields.number.filter((key) => typeof record[key] !== "number").map((key) =>
      `${prefix}${key} (a number)`
    ),
    ...fields.string.filter((key) => typeof record[key] !== "string").map((key) =>
      `${prefix}${key} (a string)`
    ),
  ];
}

/** The fields a results file, or each of its runs, must have, by type. */
export interface FieldTypes {
  /** Fields holding numbers. */
  number: readonly string[];
  /** Fields holding strings. */
  string: readonly string[];
}

/**
 * Read a results file that a task wrote (a JSON object with a list `runs`), checking that it has
 * `fields`, at least one run, each run `runFields` and what `checkRun` adds (problems, each
 * named with the run's prefix, "runs[2]."); `what` names the file in the error ("a grid of deno
 * task grid:spam_classifier").
 */
export async function readRunsFile<T>(
  path: string | URL,
  what: string,
  fields: FieldTypes,
  runFields: FieldTypes,
  checkRun: (run: Record<string, unknown>, prefix: string) => string[] = () => [],
): Promise<T> {
  const value: unknown = JSON.parse(await Deno.readTextFile(path));
  const runs = (value as { runs?: unknown } | null)?.runs;
  const problems = wrongFields(value, "", fields);
  if (!Array.isArray(runs) || runs.length === 0) {
    problems.push("runs (a list of at least one run)");
  } else {
    runs.forEach((run, i) => {
      const prefix = `runs[${i}].`;
      problems.push(...wrongFields(run, prefix, runFields));
      problems.push(...checkRun((run ?? {}) as Record<string, unknown>, prefix));
    });
  }
  if (problems.length > 0) {
    throw new TypeError(`${path} is not ${what}: expected ${problems.join(", ")}`);
  }
  return value as T;
}
