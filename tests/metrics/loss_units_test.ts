import { assertAlmostEquals, assertThrows } from "../assert.ts";
import { bitsPerCharacter, perplexity } from "../../src/metrics/loss_units.ts";

Deno.test("a loss in bits and as a perplexity: known values", () => {
  assertAlmostEquals(bitsPerCharacter(Math.LN2), 1, 1e-12); // ln 2 nats is one bit
  assertAlmostEquals(bitsPerCharacter(Math.log(81)), Math.log2(81), 1e-12);
  assertAlmostEquals(perplexity(Math.log(81)), 81, 1e-9); // a uniform guess over 81 characters
  assertAlmostEquals(perplexity(0), 1, 0); // certain: one choice
  for (const loss of [0.3, 1.749, 4.2]) {
    assertAlmostEquals(2 ** bitsPerCharacter(loss), perplexity(loss), 1e-9); // 2^bits = e^nats
  }
});

Deno.test("a loss in bits: a loss that is not a finite number ≥ 0 is refused", () => {
  for (const bad of [-0.1, Infinity, NaN]) {
    assertThrows(() => bitsPerCharacter(bad), /mean cross-entropy \(nats\) must be in \[0, ∞\)/);
    assertThrows(() => perplexity(bad), /mean cross-entropy/);
  }
});
