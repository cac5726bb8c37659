import { assertAlmostEquals, assertEquals } from "../assert.ts";
import { knownWordShare, vocabularyOf, wordsOf } from "../../src/mod.ts";

Deno.test("wordsOf: runs of letters with inner apostrophes, lower-cased; digits and marks split", () => {
  assertEquals(wordsOf("Call me Ishmael. Don't—it's 1851!"), [
    "call",
    "me",
    "ishmael",
    "don't",
    "it's",
  ]);
  assertEquals(wordsOf("  ;;  42 "), []);
});

Deno.test("knownWordShare: the share of generated words found in the reference text", () => {
  const vocabulary = vocabularyOf("The whale, the sea; and the ship.");
  assertEquals(vocabulary.size, 5);
  assertEquals(knownWordShare("The whale and the SEA", vocabulary), 1);
  assertAlmostEquals(knownWordShare("the whale xqz vvk", vocabulary), 0.5, 1e-12);
  assertEquals(knownWordShare("zzq ooj", vocabulary), 0);
  assertEquals(knownWordShare("!!! 123", vocabulary), 0, "no words at all: 0");
});
