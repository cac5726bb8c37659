/**
 * Claims: the sentences of a lesson's prose that state a fact about an output, checked by the
 * cell that makes the output. A claim that does not hold stops the notebook with an error that
 * quotes the sentence and says what was measured, so a lesson can never show one thing and say
 * another.
 *
 * @module
 */

/** The error a claim that does not hold throws. */
export class ClaimError extends Error {
  override name = "ClaimError";
}

/**
 * Check that `statement` (the prose's sentence, or its gist) holds: `holds` is the check, and
 * `measured` says what the output showed, for the error message.
 */
export function claim(statement: string, holds: boolean, measured = ""): void {
  if (holds) return;
  const found = measured === "" ? "" : ` Measured: ${measured}.`;
  throw new ClaimError(`The lesson says "${statement}", but its output does not show it.${found}`);
}

/**
 * Check that `value` lies in `[low, high]`, the range the prose's `statement` gives (figures
 * that vary between runs are stated as ranges).
 */
export function claimBetween(statement: string, value: number, low: number, high: number): void {
  claim(statement, value >= low && value <= high, `${value} (the range stated: ${low} to ${high})`);
}
