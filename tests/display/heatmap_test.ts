import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertThrows } from "../assert.ts";
import { heatmap, initCourse } from "../../src/mod.ts";
import { inkFor } from "../../src/display/heatmap.ts";
import { parseSvg } from "../display_fixtures.ts";

await initCourse();

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

Deno.test("heatmap: each number is written in the ink that contrasts with its cell, in any scheme", () => {
  assertEquals([inkFor("rgb(255, 255, 255)"), inkFor("rgb(0, 0, 0)"), inkFor("#08306b")], [
    "black",
    "white",
    "white",
  ]);
  // A diverging scheme is dark at both ends and light in the middle.
  const view = heatmap([[-1, 0, 1]], { scheme: "rdbu", domain: [-1, 1], digits: 2 });
  const inks = [...parseSvg(view.svg).querySelectorAll('[aria-label="text"] text')].map((t) =>
    t.getAttribute("fill")
  );
  assertEquals(inks, ["white", "black", "white"]);
  // Numbers as wide as "-12.34" get a smaller font, so they fit a 28-pixel cell.
  const wide = parseSvg(heatmap([[-12.34, 5]], { digits: 2, cellSize: 28 }).svg);
  const size = Number(wide.querySelector('[aria-label="text"]')?.getAttribute("font-size"));
  assert(size < 9 && size * 0.6 * 6 <= 28 - 4, `font size ${size}`);
});
