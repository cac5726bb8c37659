import { assertEquals } from "../assert.ts";
import { WordTokenizer } from "../../src/mod.ts";

Deno.test("word: words and punctuation split; vocabulary by frequency; unknown token", () => {
  assertEquals(WordTokenizer.split("What is RAG?"), ["What", "is", "RAG", "?"]);
  assertEquals(WordTokenizer.split("Don't stop—ever."), ["Don't", "stop", "—", "ever", "."]);
  const t = WordTokenizer.train("the cat and the hat. the end", { maxWords: 3 });
  assertEquals(t.tokenize("the cat sat."), ["the", "<unk>", "<unk>", "."]);
  assertEquals(t.tokenText(0), "the");
  assertEquals(t.decode(t.encode("the. the")), "the. the");
  assertEquals(t.encode(""), []);
});
