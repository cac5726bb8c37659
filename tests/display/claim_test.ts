import { assert, assertEquals, assertThrows } from "../assert.ts";
import { claim, claimBetween, ClaimError } from "../../src/mod.ts";

/** The error `fn` throws (it must throw). */
function thrown(fn: () => void): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error, but nothing was thrown");
}

Deno.test("claim: silent when it holds; otherwise a ClaimError quoting the sentence and the measure", () => {
  claim("the loss falls", true);
  const error = thrown(() => claim("the loss falls", false, "4.39 → 4.41"));
  assert(error instanceof ClaimError, "a ClaimError");
  assertEquals(
    error.message,
    'The lesson says "the loss falls", but its output does not show it. Measured: 4.39 → 4.41.',
  );
  assertThrows(() => claim("no measure given", false), /"no measure given", but .* show it\.$/);
});

Deno.test("claimBetween: the ends count as inside; outside (or NaN) names the value and the range", () => {
  claimBetween("between 1 and 2", 1, 1, 2);
  claimBetween("between 1 and 2", 2, 1, 2);
  assertThrows(
    () => claimBetween("takes 100 to 400 ms", 450, 100, 400),
    /"takes 100 to 400 ms".*Measured: 450 \(the range stated: 100 to 400\)/,
  );
  assertThrows(() => claimBetween("a number", NaN, 0, 1), /Measured: NaN/);
});
