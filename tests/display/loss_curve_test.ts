import { assert, assertEquals } from "../assert.ts";
import { LiveLossCurve } from "../../src/mod.ts";
import { parseSvg, RecordingSink } from "../display_fixtures.ts";

Deno.test("LiveLossCurve: records series, redraws in place, rejects non-finite losses", async () => {
  const sink = new RecordingSink();
  const curve = new LiveLossCurve({ totalSteps: 100, intervalMs: 0, sink });
  for (let step = 0; step < 5; step++) {
    await curve.add(step, { train: 4 - step * 0.5, val: 4.2 - step * 0.4 });
  }
  await curve.finish();
  assertEquals(sink.messages.length, 6);
  assertEquals(new Set(sink.messages.map((m) => m.options.displayId)).size, 1);
  // Redraws mid-training are drafts (sent without a PNG copy); the final curve is not.
  assertEquals(sink.messages.map((m) => m.options.draft), [true, true, true, true, true, false]);
  assertEquals(curve.latest(), { train: 2, val: 2.6 });
  assert(
    /^step 5\/100 · train 2\.000 · val 2\.600 · \d+\.\d s · \d+ s left$/.test(curve.summary()),
    curve.summary(),
  );
  const root = parseSvg(sink.messages.at(-1)!.bundle["image/svg+xml"]);
  assertEquals(root.querySelectorAll('[aria-label="line"] path').length, 2);
  // a dot at each validation point, none on the training line
  assertEquals(root.querySelectorAll('[aria-label="dot"] circle').length, 5);
  await assertRejects(() => curve.add(5, { train: NaN }), /train at step 5 is NaN/);
});

Deno.test("LiveLossCurve: a single validation point is drawn, as a dot of the series' colour", async () => {
  const sink = new RecordingSink();
  const curve = new LiveLossCurve({ totalSteps: 30, intervalMs: 0, sink });
  for (let step = 0; step < 30; step++) {
    await curve.add(step, step === 29 ? { train: 3, val: 3.2 } : { train: 4 - step / 30 });
  }
  await curve.finish();
  const root = parseSvg(sink.messages.at(-1)!.bundle["image/svg+xml"]);
  const dots = [...root.querySelectorAll('[aria-label="dot"] circle')];
  assertEquals(dots.length, 1);
  const lines = [...root.querySelectorAll('[aria-label="line"] path')];
  const colours = lines.map((l) => l.getAttribute("stroke"));
  const dotColour = dots[0].getAttribute("fill") ??
    dots[0].parentElement?.getAttribute("fill");
  assert(dotColour !== null && dotColour !== undefined, "the dot has no fill");
  assert(colours.includes(dotColour), `dot ${dotColour}, lines ${colours.join(", ")}`);
  assert(dotColour !== colours[0], `the dot has the training line's colour ${dotColour}`);
});

async function assertRejects(fn: () => Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await fn();
  } catch (error) {
    assert(pattern.test((error as Error).message), (error as Error).message);
    return;
  }
  throw new Error(`expected a rejection matching ${pattern}`);
}
