import * as Plot from "@observablehq/plot";
import * as tf from "@tensorflow/tfjs";
import { parseHTML } from "linkedom";
import { assert, assertEquals, assertThrows } from "./assert.ts";
import {
  consoleSink,
  DISPLAY,
  type DisplaySink,
  displaySink,
  formatTensor,
  heatmap,
  initCourse,
  LiveDisplay,
  LiveLossCurve,
  markdown,
  type MediaBundle,
  plot,
  ProgressBar,
  setDisplaySink,
  settle,
  show,
  type SinkOptions,
  table,
  toBundle,
} from "../src/mod.ts";

/** A sink that records every message, as the kernel would receive them. */
class RecordingSink implements DisplaySink {
  readonly messages: { bundle: MediaBundle; options: SinkOptions }[] = [];
  display(bundle: MediaBundle, options: SinkOptions = {}): Promise<void> {
    this.messages.push({ bundle, options });
    return Promise.resolve();
  }
}

/** Parse an SVG string and return its root element. */
function parseSvg(svg: string): Element {
  const { document } = parseHTML(`<html><body>${svg}</body></html>`);
  const root = document.querySelector("body > svg");
  assert(root !== null, "no <svg> root");
  return root as unknown as Element;
}

Deno.test("plot: one standalone SVG with the marks asked for", () => {
  const view = plot({
    marks: [Plot.lineY([3, 1, 4, 1, 5]), Plot.dot([{ x: 1, y: 2 }], { x: "x", y: "y" })],
  });
  assert(view.svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  const root = parseSvg(view.svg);
  assertEquals(root.querySelectorAll('[aria-label="line"] path').length, 1);
  assertEquals(root.querySelectorAll('[aria-label="dot"] circle').length, 1);
  assert(Number(root.getAttribute("width")) >= 640);
  const bundle = view[DISPLAY]();
  assertEquals(Object.keys(bundle).sort(), ["image/svg+xml", "text/plain"]);
});

Deno.test("plot: a figure's title and categorical legend become SVG text and swatches", () => {
  const data = [{ x: 0, y: 1, s: "train" }, { x: 1, y: 0.5, s: "train" }, { x: 0, y: 2, s: "val" }];
  const view = plot({
    title: "Loss",
    caption: "two series",
    color: { legend: true },
    marks: [Plot.line(data, { x: "x", y: "y", stroke: "s" })],
  });
  const root = parseSvg(view.svg);
  const texts = [...root.querySelectorAll(":scope > text")].map((t) => t.textContent);
  assert(
    texts.includes("Loss") && texts.includes("two series") && texts.includes("train") &&
      texts.includes("val"),
  );
  assertEquals(root.querySelectorAll(":scope > rect").length, 1 + 2); // background + 2 swatches
  assertEquals(root.querySelector("div, span, figure, h2"), null, "HTML left in the SVG");
  assertEquals(view[DISPLAY]()["text/plain"], "[plot: Loss]");
});

Deno.test("heatmap: one cell per entry, values written, ramp legend drawn without a canvas", () => {
  const view = heatmap([[0.1, 0.9, 0.0, 0.5], [0.5, 0.5, 0.2, 0.8], [1, 0, 0.3, 0.3]], {
    rowLabels: ["How", "are", "you"],
    colLabels: ["How", "are", "you", "you"], // repeated labels stay separate columns
    title: "weights",
  });
  const root = parseSvg(view.svg);
  assertEquals(root.querySelectorAll('[aria-label="cell"] rect').length, 12);
  const values = [...root.querySelectorAll('[aria-label="text"] text')].map((t) => t.textContent);
  assertEquals(values.length, 12);
  assertEquals(values.slice(0, 4), ["0.10", "0.90", "0.00", "0.50"]);
  const ramp = root.querySelector("image");
  assert(ramp !== null, "no colour ramp");
  const href = ramp.getAttribute("href") ?? "";
  assert(href.startsWith("data:image/svg+xml;base64,"));
  const rampSvg = atob(href.slice("data:image/svg+xml;base64,".length));
  assert(parseSvg(rampSvg).querySelectorAll("rect").length > 100, "ramp has too few colour steps");
  const ticks = [...root.querySelectorAll('[aria-label="x-axis tick label"] text')].map((t) =>
    t.textContent
  );
  assertEquals(ticks, ["How", "are", "you", "you"]);
});

Deno.test("heatmap: rank and label mismatches fail with what was expected", async () => {
  await initCourse();
  assertThrows(() => heatmap([[1, 2], [3]]), /row 0 has 2, row 1 has 1/);
  assertThrows(
    () => heatmap([[1, 2]], { rowLabels: ["a", "b"] }),
    /rowLabels has 2 labels but the matrix has 1/,
  );
  const cube = tf.zeros([2, 2, 2]);
  assertThrows(() => heatmap(cube), /rank-2 tensor, got shape \[2,2,2\]/);
  cube.dispose();
});

Deno.test("formatTensor: dtype, shape, aligned values; long dimensions shortened", async () => {
  await initCourse();
  const before = tf.memory().numTensors;
  const text = tf.tidy(() =>
    formatTensor(tf.tensor2d([[0.8, -1.8, 0.6], [1, 2, 3]]), { digits: 2, name: "X" })
  );
  assertEquals(text, "X: float32 [2, 3]\n[[ 0.80, -1.80,  0.60],\n [ 1.00,  2.00,  3.00]]");
  const long = tf.tidy(() => formatTensor(tf.range(0, 20, 1, "int32")));
  assertEquals(long, "int32 [20]\n[ 0,  1,  2, …, 17, 18, 19]");
  const cube = tf.tidy(() => formatTensor(tf.tensor3d([1, 2, 3, 4], [2, 1, 2], "int32")));
  assertEquals(cube, "int32 [2, 1, 2]\n[[[1, 2]],\n\n [[3, 4]]]");
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("table: aligned text, escaped HTML, visible newlines, row limit", () => {
  const view = table([{ token: "the", count: 12345, p: 0.5 }, { token: "\n", count: 7, p: 0.25 }, {
    token: "<b>",
    count: 1,
    p: 0.125,
  }], { maxRows: 2, digits: 2 });
  assertEquals(
    view.text(),
    [
      "token  count   p",
      "-----  ------  ----",
      "the    12,345  0.50",
      "\\n     7       0.25",
      "… 1 more rows",
    ].join(
      "\n",
    ),
  );
  assertEquals(table([{ seed: 1337 }]).text(), "seed\n----\n1337");
  const html = table([{ token: "<b>" }]).html();
  assert(html.includes("<td>&#60;b&#62;</td>"), html);
});

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

Deno.test("display loads and works outside the kernel: the console sink prints text", async () => {
  assertEquals(displaySink(), consoleSink);
  const printed: unknown[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => printed.push(...args);
  try {
    await show("outside", plot({ marks: [Plot.lineY([1, 2])] }));
  } finally {
    console.log = log;
  }
  assertEquals(printed[0], "outside");
  assert(String(printed[1]).startsWith("[plot"));
  const svgElement = Plot.plot({
    document: parseHTML("<html><body></body></html>").document,
    marks: [],
  });
  assert(toBundle(svgElement)["image/svg+xml"].startsWith("<svg"), "Plot elements display as SVG");
});

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

Deno.test("LiveLossCurve: records series, redraws in place, rejects non-finite losses", async () => {
  const sink = new RecordingSink();
  const curve = new LiveLossCurve({ totalSteps: 100, intervalMs: 0, sink });
  for (let step = 0; step < 5; step++) {
    await curve.add(step, { train: 4 - step * 0.5, val: 4.2 - step * 0.4 });
  }
  await curve.finish();
  assertEquals(sink.messages.length, 6);
  assertEquals(new Set(sink.messages.map((m) => m.options.displayId)).size, 1);
  assertEquals(curve.latest(), { train: 2, val: 2.6 });
  assert(
    /^step 5\/100 · train 2\.000 · val 2\.600 · \d+\.\d s · \d+ s left$/.test(curve.summary()),
    curve.summary(),
  );
  const root = parseSvg(sink.messages.at(-1)!.bundle["image/svg+xml"]);
  assertEquals(root.querySelectorAll('[aria-label="line"] path').length, 2);
  await assertRejects(() => curve.add(5, { train: NaN }), /train at step 5 is NaN/);
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
