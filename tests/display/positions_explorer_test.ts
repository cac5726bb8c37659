import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertThrows } from "../assert.ts";
import {
  initCourse,
  positionsExplorer,
  sinusoidalEncoding,
  VIEW_ATTRIBUTE,
} from "../../src/mod.ts";
import type { PositionsViewData } from "../../src/display/positions_client.ts";
import { runView } from "../display_fixtures.ts";

await initCourse();

/** The data a view ships (its JSON). */
function dataOf(root: HTMLElement): PositionsViewData {
  return JSON.parse(root.querySelector(".course-view-data")?.textContent ?? "");
}

/** The `data-value` of every element matching `selector`, in order. */
function values(root: ParentNode, selector: string): (string | null)[] {
  return [...root.querySelectorAll(selector)].map((e) => e.getAttribute("data-value"));
}

Deno.test("positionsExplorer: the dot products are PE · PEᵀ, rounded; no tensor left", async () => {
  const before = tf.memory().numTensors;
  const pe = sinusoidalEncoding(12, 8);
  const view = await positionsExplorer(pe, { title: "Toy positions", position: 3 });
  const product = tf.tidy(() => pe.matMul(pe, false, true).arraySync() as number[][]);
  const rows = pe.arraySync();
  pe.dispose();
  assertEquals(tf.memory().numTensors, before);
  const { view: root } = runView(view.html);
  assertEquals(root.getAttribute(VIEW_ATTRIBUTE), "positions explorer");
  assertEquals(root.querySelectorAll(".course-view-picture").length, 0);
  const data = dataOf(root);
  assertEquals(data.start, 3);
  const worst = Math.max(
    ...product.flatMap((row, p) => row.map((v, q) => Math.abs(v - data.dots[p][q]))),
  );
  assert(worst <= 0.005 + 1e-5, `dot products off by ${worst}`);
  const worstVector = Math.max(
    ...rows.flatMap((row, p) => row.map((v, c) => Math.abs(v - data.vectors[p][c]))),
  );
  assert(worstVector <= 0.0005 + 1e-6, `vectors off by ${worstVector}`);
  // Shipped as rounded: no number has more than 2 (dots) or 3 (vectors) decimals.
  assert(data.dots.flat().every((v) => Number(v.toFixed(2)) === v));
  assert(data.vectors.flat().every((v) => Number(v.toFixed(3)) === v));
  // The live view starts on position 3: its vector's bars and its row of dot products.
  const live = root.querySelector(".course-view-live") as HTMLElement;
  assertEquals(live.dataset.position, "3");
  assertEquals(values(root, ".course-component"), data.vectors[3].map((v) => v.toFixed(3)));
  assertEquals(values(root, ".course-dot"), data.dots[3].map((v) => v.toFixed(2)));
  assert(view.dataBytes < view.bytes && view.bytes < 80_000, `${view.dataBytes}, ${view.bytes}`);
});

Deno.test("positionsClient: self-contained; one bar per dimension; the slider redraws", async () => {
  const encodings = sinusoidalEncoding(10, 6);
  const view = await positionsExplorer(encodings, { title: "Six dimensions" });
  encodings.dispose();
  const data = view.data;
  // The view's own script, compiled with no access to any module (see runView).
  const { view: outer, Event } = runView(view.html);
  const root = outer.querySelector(".course-view-live") as HTMLElement;
  assertEquals(root.dataset.position, "0");
  const bars = [...root.querySelectorAll(".course-component")];
  assertEquals(bars.map((b) => b.getAttribute("data-i")), ["0", "1", "2", "3", "4", "5"]);
  assertEquals(values(root, ".course-component"), [
    "0.000",
    "1.000",
    "0.000",
    "1.000",
    "0.000",
    "1.000",
  ]);
  assertEquals(values(root, ".course-dot"), data.dots[0].map((v) => v.toFixed(2)));
  assertEquals(
    [...root.querySelectorAll(".course-dot")].map((d) => d.getAttribute("data-q")),
    Array.from({ length: 10 }, (_, q) => String(q)),
  );
  const slider = root.querySelector("input.course-position") as HTMLInputElement;
  assertEquals([slider.getAttribute("type"), slider.getAttribute("max")], ["range", "9"]);
  slider.value = "7";
  slider.dispatchEvent(new Event("input"));
  assertEquals(root.dataset.position, "7");
  assertEquals(values(root, ".course-component"), data.vectors[7].map((v) => v.toFixed(3)));
  assertEquals(values(root, ".course-dot"), data.dots[7].map((v) => v.toFixed(2)));
  // The readouts: the maximum C/2 at q = p, and the neighbours.
  const readout = root.querySelector(".course-readout")?.textContent ?? "";
  assert(readout.includes("PE(7) · PE(7) = 3.00, the largest: C/2 = 3"), readout);
  assert(readout.includes(`with p + 1, ${data.dots[7][8].toFixed(2)}`), readout);
});

Deno.test("positionsExplorer: wrong encodings or positions are refused, saying what was expected", () => {
  const refused = (encodings: tf.Tensor | number[][], pattern: RegExp, position?: number) =>
    assertThrows(() => positionsExplorer(encodings, { title: "x", position }), pattern);
  const cube = tf.zeros([2, 2, 2]);
  refused(cube, /shape \(T, C\), got a tensor of shape \[2,2,2\]/);
  cube.dispose();
  refused([[0, 1, 0]], /an even dimension C .* got 1 positions of dimension 3/);
  refused([[0, 1], [1]], /be 2 finite numbers; position 1 has 1/);
  refused([[0, 1], [0.5, 0.5]], /position 1, pair 0 has sin² \+ cos² = 0\.5000/);
  refused([[0, 1], [1, 0]], /one of the 2 positions, 0 to 1; got 2/, 2);
});
