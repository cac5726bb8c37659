import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "../assert.ts";
import {
  initCourse,
  nextTokenDistribution,
  samplingExplorer,
  type SamplingOptions,
  VIEW_ATTRIBUTE,
} from "../../src/mod.ts";
import { runView, viewPicture } from "../display_fixtures.ts";

await initCourse();

/** 40 tokens (more than the 30 drawn), a space and a newline among them, with varied logits. */
const tokens = ["a", " ", "\n", ...Array.from({ length: 37 }, (_, i) => `t${i}`)];
const logits = tokens.map((_, i) => 3 * Math.sin(1.7 * i + 0.3) + 0.12345);

/** The candidates a live view shows: token id and final probability, in order. */
function candidates(root: Element): [number, string][] {
  return [...root.querySelectorAll(".course-candidate")].map((c) => [
    Number(c.getAttribute("data-token-id")),
    c.getAttribute("data-p") ?? "",
  ]);
}

/** What the view should show for `options`: the 30 likeliest ids and their probabilities. */
function expected(shipped: number[], options: SamplingOptions): [number, string][] {
  const p = nextTokenDistribution(shipped, options);
  return shipped.map((_, id) => id).sort((a, b) => shipped[b] - shipped[a]).slice(0, 30)
    .map((id) => [id, p[id].toFixed(4)]);
}

Deno.test("samplingExplorer: ships the rounded logits and readable tokens; a picture and its size", async () => {
  const before = tf.memory().numTensors;
  const input = tf.tensor1d(logits);
  const view = await samplingExplorer(input, tokens, {
    title: "Toy",
    prompt: "a\nb",
    start: { temperature: 0.8, topP: 0.9 },
  });
  assertEquals(tf.memory().numTensors, before + 1);
  assertEquals(Array.from(input.dataSync()), Array.from(Float32Array.from(logits)));
  input.dispose();
  assertEquals(tf.memory().numTensors, before);
  const { view: root } = runView(view.html);
  assertEquals(root.getAttribute(VIEW_ATTRIBUTE), "sampling explorer");
  assertEquals(root.querySelectorAll(".course-view-picture").length, 0);
  const data = JSON.parse(root.querySelector(".course-view-data")?.textContent ?? "");
  const rounded = Array.from(Float32Array.from(logits), (v) => Math.round(v * 1000) / 1000);
  assertEquals(data.logits, rounded);
  assertEquals(data.tokens.slice(0, 4), ["a", "␣", "⏎", "t0"]);
  assertEquals(data.prompt, "a⏎b");
  assertEquals(data.start, { temperature: 0.8, topP: 0.9 });
  assertEquals(view.data, data);
  // The first state, computed server-side, is nextTokenDistribution's.
  const p = nextTokenDistribution(rounded, { temperature: 0.8, topP: 0.9 });
  assertEquals(Array.from(view.first.final), Array.from(p));
  assertEquals(view.first.kept, p.filter((x) => x > 0).length);
  const tempered = nextTokenDistribution(rounded, { temperature: 0.8 });
  const mass = tempered.reduce((sum, t, i) => sum + (p[i] > 0 ? t : 0), 0);
  assertAlmostEquals(view.first.mass, mass, 1e-12);
  assert(mass >= 0.9 && view.first.kept > 1 && view.first.kept < 40, `mass ${mass}`);
  const live = root.querySelector(".course-view-live") as HTMLElement;
  assertEquals(live.dataset.kept, String(view.first.kept));
  assertEquals(live.dataset.mass, mass.toFixed(4));
  assertEquals(JSON.parse(live.dataset.options ?? ""), { temperature: 0.8, topP: 0.9 });
  assertEquals(candidates(live), expected(rounded, { temperature: 0.8, topP: 0.9 }));
  assert(view.dataBytes < view.bytes && view.bytes < 80_000, `${view.dataBytes}, ${view.bytes}`);
  viewPicture(view.html);
});

Deno.test("sampling client: self-contained; the sliders redraw nextTokenDistribution's distribution", async () => {
  const view = await samplingExplorer(logits, tokens, { title: "Toy", prompt: "x" });
  const shipped = view.data.logits;
  // The view's own script, compiled with no access to any module (see runView).
  const { view: outer, Event } = runView(view.html);
  const root = outer.querySelector(".course-view-live") as HTMLElement;
  assertEquals(candidates(root), expected(shipped, { temperature: 1 }));
  assertEquals(root.dataset.kept, "40");
  assertEquals(root.dataset.mass, "1.0000");
  const input = (name: string) => root.querySelector(`input.course-${name}`) as HTMLInputElement;
  assertEquals(input("top-k").getAttribute("max"), "40");
  const move = (name: string, value: string) => {
    input(name).value = value;
    input(name).dispatchEvent(new Event("input"));
  };
  const settings: [string, string, SamplingOptions][] = [
    ["temperature", "0.5", { temperature: 0.5 }],
    ["top-k", "7", { temperature: 0.5, topK: 7 }],
    ["top-p", "0.6", { temperature: 0.5, topK: 7, topP: 0.6 }],
    ["min-p", "0.2", { temperature: 0.5, topK: 7, topP: 0.6, minP: 0.2 }],
    ["top-k", "40", { temperature: 0.5, topP: 0.6, minP: 0.2 }],
    ["temperature", "0", { temperature: 0, topP: 0.6, minP: 0.2 }],
  ];
  for (const [name, value, options] of settings) {
    move(name, value);
    assertEquals(JSON.parse(root.dataset.options ?? ""), options, `${name} ${value}`);
    assertEquals(candidates(root), expected(shipped, options), `${name} ${value}`);
    const p = nextTokenDistribution(shipped, options);
    assertEquals(root.dataset.kept, String(p.filter((x) => x > 0).length));
  }
  assertEquals(root.dataset.mass, "1.0000"); // greedy: the top token holds all
  move("temperature", "2");
  move("min-p", "0");
  move("top-p", "1");
  assertEquals(JSON.parse(root.dataset.options ?? ""), { temperature: 2 });
  assertEquals(root.dataset.kept, "40");
});

Deno.test("samplingExplorer: wrong input says what was expected", () => {
  const options = { title: "x", prompt: "y" };
  assertThrows(() => samplingExplorer([1, 2], ["a"], options), /2 logits, 1 tokens/);
  assertThrows(() => samplingExplorer([], [], options), /at least one logit/);
  assertThrows(() => samplingExplorer([1, NaN], ["a", "b"], options), /finite logits, got NaN/);
  const matrix = tf.zeros([1, 2]);
  assertThrows(() => samplingExplorer(matrix, ["a", "b"], options), /rank-1 tensor.*\[1,2\]/);
  matrix.dispose();
  const start = (s: SamplingOptions) => () =>
    samplingExplorer([1, 2], ["a", "b"], { ...options, start: s });
  assertThrows(start({ topK: 3 }), /at most the vocabulary \(2\), got 3/);
  assertThrows(start({ minP: 0.7 }), /minP must be at most 0.5/);
  assertThrows(start({ temperature: 0.333 }), /in hundredths/);
  assertThrows(start({ topP: 0 }), /topP must be in/);
});
