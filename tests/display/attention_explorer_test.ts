import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertThrows } from "../assert.ts";
import { attentionExplorer, initCourse, VIEW_ATTRIBUTE } from "../../src/mod.ts";
import { runView, viewPicture } from "../display_fixtures.ts";

await initCourse();

const tokens = ["The", "cat", "sat", "on"];
/** Causal weights for `heads` heads, different in each head and row. */
function causal(heads: number): number[][][] {
  return Array.from({ length: heads }, (_, h) =>
    tokens.map((_, i) => {
      const row = tokens.map((_, j) => (j <= i ? Math.exp(Math.sin(1 + h + i * j)) : 0));
      const total = row.reduce((a, b) => a + b);
      return row.map((w) => w / total);
    }));
}

Deno.test("attentionExplorer: a picture, its size, and the weights in thousandths", async () => {
  const weights = causal(2);
  const before = tf.memory().numTensors;
  const input = tf.tensor4d([weights]); // (1, H, T, T), as a model returns them
  const view = await attentionExplorer([{ name: "layer 1", weights: input, queries: tokens }], {
    title: "Toy attention",
  });
  input.dispose();
  assertEquals(tf.memory().numTensors, before);
  const { view: root } = runView(view.html);
  assertEquals(root.getAttribute(VIEW_ATTRIBUTE), "attention explorer");
  // The live view replaced the picture, and the note says how big its data is.
  assertEquals(root.querySelectorAll(".course-view-picture").length, 0);
  assertEquals(
    root.querySelector(".course-view-note")?.textContent,
    `attention explorer, live (data: ${(view.dataBytes / 1000).toFixed(1)} kB)`,
  );
  assertEquals(view.data.maps[0].heads[1][3], weights[1][3].map((w) => Math.round(w * 1000)));
  assert(
    view.dataBytes < view.bytes && view.bytes < 60_000,
    `sizes ${view.dataBytes}, ${view.bytes}`,
  );
  // The picture is there before the script runs: a PNG with the chart's own size.
  viewPicture(view.html);
});

Deno.test("attentionExplorer: starts on the last query; its row of weights on the keys", async () => {
  const weights = causal(3);
  const view = await attentionExplorer([
    { name: "layer 1", weights, queries: tokens },
    {
      name: "cross",
      weights: [[[0.25, 0.75], [0.5, 0.5], [1, 0], [0, 1]]],
      queries: tokens,
      keys: ["a", "b"],
    },
  ], { title: "Toy", start: { head: 1 } });
  const { view: root } = runView(view.html);
  const live = root.querySelector(".course-view-live") as HTMLElement;
  assertEquals(live.dataset.query, "3");
  assertEquals(live.dataset.head, "1");
  const shown = [...root.querySelectorAll(".course-key")].map((k) => k.getAttribute("data-weight"));
  assertEquals(shown, weights[1][3].map((w) => (Math.round(w * 1000) / 1000).toFixed(3)));
  // Three heads and "all" to choose from; two attentions.
  assertEquals(root.querySelectorAll(".course-head option").length, 4);
  assertEquals(root.querySelectorAll(".course-map option").length, 2);
});

Deno.test("attentionExplorer: weights that do not fit the tokens are refused", () => {
  const one = [{ name: "l", weights: causal(2), queries: tokens }];
  assertThrows(() => attentionExplorer(one, { title: "x", start: { query: 0.5 } }), /query 0.5/);
  assertThrows(
    () =>
      attentionExplorer([{ ...one[0], weights: [[[NaN, 1], [1, 0]]], queries: ["a", "b"] }], {
        title: "x",
      }),
    /must be finite numbers/,
  );
  assertThrows(
    () =>
      attentionExplorer([{ name: "layer 1", weights: causal(1), queries: ["a", "b"] }], {
        title: "x",
      }),
    /are not 2 queries × 2 keys/,
  );
  assertThrows(
    () =>
      attentionExplorer([{
        name: "l",
        weights: [[[[1]]], [[[1]]]] as unknown as number[][][],
        queries: ["a"],
      }], { title: "x" }),
    /with a batch of 2/,
  );
  assertThrows(
    () =>
      attentionExplorer([{ name: "l", weights: causal(2), queries: tokens }], {
        title: "x",
        start: { head: 2 },
      }),
    /start.head 2 must be a head's index, 0 to 1/,
  );
});

Deno.test("attentionExplorer: the readout names every top key on a tie, and even rows as even", async () => {
  const view = await attentionExplorer([{
    name: "toy",
    weights: [[1, 0, 0], [0.4, 0.4, 0.2], [1 / 3, 1 / 3, 1 / 3]],
    queries: ["a", "b", "c"],
  }], { title: "Toy", start: { query: 1 } });
  const { view: root, Event } = runView(view.html);
  const readout = () => root.querySelector(".course-readout")?.textContent;
  assertEquals(
    readout(),
    "“b” gives most weight to “a” and “b” (0.400 each) in head 1 of toy; each row of weights sums to 1.",
  );
  const hover = (i: number) =>
    root.querySelectorAll(".course-query")[i].dispatchEvent(new Event("mouseenter"));
  hover(2);
  assertEquals(
    readout(),
    "“c” spreads its weight evenly in head 1 of toy: 0.333 on each of 3 tokens (to 3 decimals).",
  );
  hover(0); // one key only: not "evenly"
  assertEquals(
    readout(),
    "“a” gives most weight to “a” (1.000) in head 1 of toy; each row of weights sums to 1.",
  );
});

Deno.test("attentionExplorer: opening on every head, its picture shows every head", async () => {
  const maps = [{ name: "layer 1", weights: causal(8), queries: tokens }];
  const width = async (head: number) => {
    const view = await attentionExplorer(maps, { title: "Toy", start: { head } });
    return Number(/class="course-view-picture" width="(\d+)"/.exec(view.html)?.[1]);
  };
  const [one, all] = [await width(0), await width(-1)];
  assert(all > 2 * one, `one head ${one} px wide, all eight ${all} px`);
});
