import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "../assert.ts";
import { initCourse, markdown, setDisplaySink, settle, show } from "../../src/mod.ts";
import { RecordingSink } from "../display_fixtures.ts";

await initCourse();

Deno.test("show: sends each value to the sink, then yields; tensors get a readable view", async () => {
  await initCourse();
  const sink = new RecordingSink();
  setDisplaySink(sink);
  try {
    const t = tf.tensor1d([1, 2], "int32");
    await show("hello", t, { a: 1 }, markdown("**bold**"));
    t.dispose();
  } finally {
    setDisplaySink(undefined);
  }
  assertEquals(sink.messages.map((m) => m.bundle["text/plain"]), [
    "hello",
    "int32 [2]\n[1, 2]",
    "{ a: 1 }",
    "**bold**",
  ]);
  assertEquals(sink.messages[3].bundle["text/markdown"], "**bold**");
  assert(sink.messages.every((m) => m.options.displayId === undefined));
});

Deno.test("settle waits longer for larger outputs (10 ms + 1 ms per 10 kB, at most 0.5 s)", async () => {
  const started = performance.now();
  await settle([{ "image/svg+xml": "x".repeat(300_000) }]); // 300 kB → 40 ms
  assert(performance.now() - started >= 39, `waited only ${performance.now() - started} ms`);
});
