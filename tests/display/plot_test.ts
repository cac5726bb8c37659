import * as Plot from "@observablehq/plot";
import { assert, assertEquals } from "../assert.ts";
import { DISPLAY, plot } from "../../src/mod.ts";
import { parseSvg } from "../display_fixtures.ts";

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
