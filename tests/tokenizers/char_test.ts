import { assertEquals, assertThrows } from "../assert.ts";
import { CharTokenizer } from "../../src/mod.ts";

Deno.test("char: sorted distinct characters; round trip; unknown character named", () => {
  const t = CharTokenizer.train("hello");
  assertEquals(t.vocabSize, 4);
  assertEquals(t.encode("hello"), [1, 0, 2, 2, 3]); // e h l o
  assertEquals(t.decode([3, 2, 0]), "ole");
  assertThrows(
    () => t.encode("help"),
    /character "p" \(U\+0070\) at index 3 is not in the vocabulary of 4 characters/,
  );
  assertEquals(CharTokenizer.train("").encode(""), []);
});
