import { assert } from "../assert.ts";
import { QUICK_ENV, quickMode } from "../../src/mod.ts";

Deno.test("quickMode follows COURSE_QUICK", () => {
  const saved = Deno.env.get(QUICK_ENV);
  try {
    Deno.env.set(QUICK_ENV, "1");
    assert(quickMode());
    Deno.env.set(QUICK_ENV, "0");
    assert(!quickMode());
    Deno.env.delete(QUICK_ENV);
    assert(!quickMode());
  } finally {
    if (saved === undefined) Deno.env.delete(QUICK_ENV);
    else Deno.env.set(QUICK_ENV, saved);
  }
});
