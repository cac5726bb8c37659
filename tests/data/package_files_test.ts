import { assertThrows } from "../assert.ts";
import { packageDir } from "../../src/mod.ts";

Deno.test("a package that is not installed gives a sentence, not a resolver trace", () => {
  assertThrows(
    () => packageDir("@stdlib/not-a-package"),
    /not installed; it is pinned in deno.json/,
  );
});
