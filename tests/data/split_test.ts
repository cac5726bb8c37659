import { assertEquals, assertThrows } from "../assert.ts";
import { holdOutEveryNth, splitText } from "../../src/mod.ts";

Deno.test("splitText counts code points, as Python does", () => {
  const { train, heldOut } = splitText("ab😀cdefghij", 0.5); // 11 code points, 12 UTF-16 units
  assertEquals(train, "ab😀cd");
  assertEquals(heldOut, "efghij");
  assertThrows(() => splitText("abc", 1), /between 0 and 1 \(exclusive\), got 1/);
});

Deno.test("holdOutEveryNth: indices 0, n, 2n… held out; the rest train", () => {
  assertEquals(holdOutEveryNth([0, 1, 2, 3, 4, 5, 6], 3), {
    train: [1, 2, 4, 5],
    heldOut: [0, 3, 6],
  });
  assertThrows(() => holdOutEveryNth([1], 1), /integer ≥ 2, got 1/);
});
