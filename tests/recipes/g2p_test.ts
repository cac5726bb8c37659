import { assert, assertEquals } from "../assert.ts";
import { cmuDictSplit, g2pData } from "../../src/mod.ts";

Deno.test("G2P data: the stated split, disjoint parts, and vocabularies that cover every word", () => {
  const data = g2pData();
  const split = cmuDictSplit();
  assertEquals(data.test.map((e) => e.word), split.heldOut.map((p) => p.word));
  assertEquals(data.train.length + data.validation.length, split.train.length);
  assertEquals(data.validation.length, Math.ceil(split.train.length / 50));
  const seen = new Set(data.train.map((e) => e.word));
  assert(
    data.validation.every((e) => !seen.has(e.word)) && data.test.every((e) => !seen.has(e.word)),
  );
  assertEquals(data.letters.size, 3 + 27); // A–Z and the apostrophe
  const cat = data.test.find((e) => e.word === "CAT") ?? data.train.find((e) => e.word === "CAT")!;
  assertEquals(cat.phonemes, ["K", "AE1", "T"]);
  assertEquals(data.phonemes.decode(cat.target), cat.phonemes);
  assertEquals(data.letters.decode(cat.source).join(""), "CAT");
});
