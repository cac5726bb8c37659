import { assertEquals, assertThrows } from "../assert.ts";
import { END, PAD, START, SymbolVocabulary } from "../../src/mod.ts";

Deno.test("symbol vocabulary: <pad> <start> <end> first, round trip, unknown symbols named", () => {
  const vocab = SymbolVocabulary.fromSequences([["K", "AE1", "T"], ["D", "AO1", "G"]]);
  assertEquals(vocab.symbols.slice(0, 3), [PAD, START, END]);
  assertEquals([vocab.padId, vocab.startId, vocab.endId], [0, 1, 2]);
  assertEquals(vocab.symbols.slice(3), ["AE1", "AO1", "D", "G", "K", "T"]);
  const ids = vocab.encode(["K", "AE1", "T"]);
  assertEquals(ids, [7, 3, 8]);
  assertEquals(vocab.decode([1, ...ids, 2, 0]), ["K", "AE1", "T"]);
  assertThrows(() => vocab.encode(["K", "EY1"]), /"EY1" is not in the vocabulary/);
  assertThrows(() => vocab.encode([END]), /"<end>" is not in the vocabulary/);
  assertEquals(new SymbolVocabulary(vocab.toJSON()).symbols, vocab.symbols);
});
