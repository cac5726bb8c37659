import { assertAlmostEquals, assertEquals, assertThrows } from "../assert.ts";
import { editDistance, errorRates } from "../../src/mod.ts";

Deno.test("edit distance and error rates on known cases", () => {
  assertEquals(editDistance([..."kitten"], [..."sitting"]), 3);
  assertEquals(editDistance("K AE T".split(" "), "K AA T S".split(" ")), 2);
  assertEquals(editDistance([], ["a", "b"]), 2);
  assertEquals(editDistance([1, 2, 3], [1, 2, 3]), 0);
  const rates = errorRates([["K", "AE", "T"], ["D", "AO", "G"]], [["K", "AE", "T"], [
    "D",
    "AA",
    "G",
    "Z",
  ]]);
  assertAlmostEquals(rates.tokenErrorRate, 2 / 7, 1e-12);
  assertEquals(rates.sequenceErrorRate, 0.5);
  assertThrows(() => errorRates([[1]], []), /1 predictions for 0 references/);
});
