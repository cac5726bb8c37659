import { assert, assertEquals, assertThrows } from "../assert.ts";
import { BpeTokenizer, learnMerges, mobyDick } from "../../src/mod.ts";

Deno.test("BPE learns merges from pair frequencies (the low/lower/lowest example)", () => {
  // Whole words as chunks, each counted: l-o and o-w are the most frequent pairs.
  const { merges } = learnMerges({
    chunks: new Map([["low", 5], ["lower", 2], ["newest", 6], ["widest", 3]]),
    symbolsOf: (w) => [...w],
    baseVocabulary: [..."deilnorstw"],
    join: (a, b) => a + b,
    vocabularySize: 10 + 4,
  });
  // Hand count: e-s 9 (newest 6 + widest 3), s-t 9, then "es"-t 9, l-o 7, o-w 7, w-e 8, …
  assertEquals(merges.map((m) => [m.merged, m.count]), [["es", 9], ["est", 9], ["lo", 7], [
    "low",
    7,
  ]]);
  // Chunks "low" ×1, " low" ×2, " lower" ×2, " lowest" ×1 over 8 characters. By hand: l-o 6 and
  // o-w 6 (a tie: alphabetically first pair first), then " "+"low" 5, " low"+"e" 3, " lowe"+"r" 2; every
  // pair left occurs once, below the minimum of 2, so training stops at 13 tokens.
  const learned: string[] = [];
  const bpe = BpeTokenizer.train("low low low lower lower lowest", 20, {
    onMerge: (m) => learned.push(m.merged),
  });
  assertEquals(learned, ["lo", "low", " low", " lowe", " lower"]);
  assertEquals(bpe.vocabSize, 13);
  assertEquals(bpe.tokenize(" lowest"), [" lowe", "s", "t"]);
  assertEquals(bpe.chunks("low lower"), ["low", " lower"]);
});

Deno.test("BPE on Moby Dick: round trip; a character it never saw is an error", () => {
  const text = mobyDick();
  const bpe = BpeTokenizer.train(text, 400);
  assertEquals(bpe.vocabSize, 400);
  const sample = text.slice(500_000, 520_000);
  assertEquals(bpe.decode(bpe.encode(sample)), sample);
  assert(bpe.encode(sample).length < sample.length / 2, "400 tokens should halve the length");
  assertThrows(
    () => bpe.encode("🐳"),
    /character "🐳" \(U\+1F433\) in "🐳" is not in the vocabulary/,
  );
});

Deno.test("character-level BPE merges long runs by the same rule", () => {
  const text = "abcabcabd ".repeat(50);
  const bpe = BpeTokenizer.train(text, 12);
  const run = "abcabcabd".repeat(500);
  assertEquals(bpe.decode(bpe.encode(run)), run);
  assertEquals(bpe.encode(run), Array(500).fill(bpe.encode("abcabcabd")).flat());
});
