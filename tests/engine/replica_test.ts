import { assertEquals, assertThrows } from "../assert.ts";
import { splitRows } from "../../src/mod.ts";
import { matrix } from "../fixtures.ts";

Deno.test("splitRows: shards as even as possible, in order, nothing lost", () => {
  const batch = {
    x: matrix([[1, 2], [3, 4], [5, 6], [7, 8], [9, 10]]),
    y: matrix([[1], [2], [3], [4], [5]]),
  };
  const shards = splitRows(batch, 2);
  assertEquals(shards.map((s) => s.x.rows), [3, 2]);
  assertEquals([...shards[1].x.data], [7, 8, 9, 10]);
  assertEquals([...shards[0].y.data], [1, 2, 3]);
  assertEquals(splitRows(batch, 8).length, 5, "never an empty shard");
  assertThrows(
    () => splitRows({ x: matrix([[1], [2]]), y: matrix([[1]]) }, 2),
    /y has 1, not 2/,
  );
});
