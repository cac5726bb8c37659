import { assert, assertEquals } from "../assert.ts";
import { LiveDisplay } from "../../src/mod.ts";
import { RecordingSink } from "../display_fixtures.ts";

Deno.test("LiveDisplay: first a display, then updates of the same display id", async () => {
  const sink = new RecordingSink();
  const live = new LiveDisplay(sink);
  await live.update("one");
  await live.update("two");
  await live.update("three");
  assertEquals(sink.messages.map((m) => m.bundle["text/plain"]), ["one", "two", "three"]);
  assertEquals(sink.messages.map((m) => m.options.update ?? false), [false, true, true]);
  assert(sink.messages.every((m) => m.options.displayId === live.id));
  assert(new LiveDisplay(sink).id !== live.id, "two live displays share an id");
});

Deno.test("LiveDisplay: updates started before the first is sent still update one output", async () => {
  const sink = new RecordingSink();
  const live = new LiveDisplay(sink);
  await Promise.all([live.update("a"), live.update("b"), live.update("c")]); // not awaited in turn
  assertEquals(sink.messages.map((m) => m.options.update ?? false), [false, true, true]);
});
