import { assert, assertAlmostEquals, assertEquals, assertThrows } from "../assert.ts";
import { bitsPerByte, bitsPerCharacter, perplexity } from "../../src/metrics/loss_units.ts";

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

Deno.test("bits per byte: the loss in bits per token, spread over the bytes a token stands for", () => {
  // 2 ln 2 nats = 2 bits per token; 300 tokens for 900 bytes: 3 bytes a token, 2 / 3 bit a byte.
  assertAlmostEquals(bitsPerByte(2 * Math.LN2, 300, 900), 2 / 3, 1e-12);
  // 1.5 nats = 2.16404… bits per token; 1,000 tokens for 4,200 bytes: 0.5152482… bits a byte.
  assertAlmostEquals(bitsPerByte(1.5, 1000, 4200), 1.5 / Math.LN2 * 1000 / 4200, 1e-12);
  assertAlmostEquals(bitsPerByte(1.5, 1000, 4200), 0.51524823, 1e-8);
  assertAlmostEquals(bitsPerByte(0, 10, 40), 0, 0); // certain: no bits at all
  // A character model of ASCII text (one byte a character, so tokens = bytes): bits per character.
  const text = "Call me Ishmael.";
  const bytes = new TextEncoder().encode(text).length;
  assertEquals(bytes, text.length);
  for (const loss of [0.3, 1.749, 4.2]) {
    assertAlmostEquals(bitsPerByte(loss, text.length, bytes), bitsPerCharacter(loss), 1e-12);
  }
  // More bytes per token (a bigger vocabulary) at the same loss per token: fewer bits per byte.
  assert(bitsPerByte(3, 100, 400) < bitsPerByte(3, 100, 200));
});

Deno.test("bits per byte: a bad loss, token count or byte count is refused, naming it", () => {
  assertThrows(() => bitsPerByte(-0.1, 10, 10), /mean cross-entropy \(nats\) must be in \[0, ∞\)/);
  assertThrows(() => bitsPerByte(NaN, 10, 10), /mean cross-entropy/);
  for (const bad of [0, -5, NaN, Infinity]) {
    assertThrows(() => bitsPerByte(1, bad, 10), /tokens must be in \(0, ∞\)/);
    assertThrows(() => bitsPerByte(1, 10, bad), /bytes must be in \(0, ∞\)/);
  }
});
