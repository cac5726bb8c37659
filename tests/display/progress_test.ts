import { assert, assertEquals, assertThrows } from "../assert.ts";
import { ProgressBar } from "../../src/mod.ts";
import { RecordingSink } from "../display_fixtures.ts";

Deno.test("ProgressBar: throttled redraws, the last state always drawn", async () => {
  const sink = new RecordingSink();
  const bar = new ProgressBar(1000, { label: "work", sink, intervalMs: 60_000 });
  for (let i = 0; i < 1000; i++) await bar.advance(1, `item ${i}`);
  await bar.finish("done");
  const texts = sink.messages.map((m) => m.bundle["text/plain"]);
  assertEquals(texts.length, 3); // the first advance, reaching the total, finish
  assert(texts[0].startsWith("work ░"), texts[0]);
  assert(/^work █{30} 1000\/1000 · \d+\.\d s · done$/.test(texts[2]), texts[2]);
  assert(sink.messages[2].bundle["text/html"].includes('<progress value="1000" max="1000">'));
  assertThrows(() => new ProgressBar(0), /total must be > 0, got 0/);
});
