import { assertEquals, assertThrows } from "../assert.ts";
import { ByteBpeTokenizer, CharTokenizer } from "../../src/mod.ts";

const gpt2 = await ByteBpeTokenizer.gpt2();

Deno.test("decoding an id outside the vocabulary names it", () => {
  assertThrows(
    () => gpt2.decode([15496, 50257]),
    /cannot decode id 50257 at position 1: ids run from 0 to 50256/,
  );
  assertThrows(() => CharTokenizer.train("ab").decode([-1]), /cannot decode id -1 at position 0/);
});

Deno.test("special tokens are never split, and longer ones win over their prefixes", () => {
  const t = CharTokenizer.train("abc<>", ["<start>", "<end>", "<end2>"]);
  assertEquals(t.tokenize("a<start>b<end2>c", { special: "allow" }), [
    "a",
    "<start>",
    "b",
    "<end2>",
    "c",
  ]);
  assertThrows(() => t.encode("a<end>"), /special token "<end>" at index 1/);
  assertThrows(() => new CharTokenizer(["a"], ["<x>", "<x>"]), /listed twice/);
});
