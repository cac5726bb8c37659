/**
 * `show()`: display values in a notebook so that the output cannot be lost.
 *
 * Under headless execution (nbconvert, nbclient, CI) the Deno kernel can report a cell as
 * finished before the cell's last output has been sent, and that output is dropped. `show()`
 * awaits the display message and then waits a little longer, more for large outputs (see
 * {@link settle}), so the output is out before the cell ends. Use it instead of a bare last
 * expression.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { DISPLAY, isDisplayable, type MediaBundle } from "./bundle.ts";
import { displaySink } from "./sink.ts";
import { svgFromElement } from "./svg.ts";
import { tensorView } from "./tensor.ts";

/**
 * The media bundle for any value: a {@link Displayable}'s own bundle, a readable view of a
 * tensor, an SVG image of a Plot element, a string as it is, anything else as `Deno.inspect`
 * prints it.
 */
export function toBundle(value: unknown): MediaBundle {
  if (isDisplayable(value)) return value[DISPLAY]();
  if (value instanceof tf.Tensor) return tensorView(value)[DISPLAY]();
  if (isPlotElement(value)) return svgFromElement(value)[DISPLAY]();
  if (typeof value === "string") return { "text/plain": value };
  return { "text/plain": Deno.inspect(value, { colors: false, depth: 6, iterableLimit: 100 }) };
}

/** Display each value in turn (see the module doc), then wait for the messages to leave. */
export async function show(...values: unknown[]): Promise<void> {
  const sink = displaySink();
  const bundles = values.map(toBundle);
  for (const bundle of bundles) await sink.display(bundle);
  await settle(bundles);
}

/**
 * Wait until displayed bundles have most likely been sent: 10 ms, plus 1 ms per 10 kB, at most
 * 0.5 s. Awaiting the display call is not enough: the Deno kernel queues the message and can
 * report the cell finished while a large one (a 500 kB heatmap) is still being sent, and then the
 * output is lost. (Under plain `deno run` and in tests the wait is the same, and harmless.)
 */
export function settle(bundles: readonly MediaBundle[]): Promise<void> {
  const bytes = bundles.reduce((n, b) => n + Object.values(b).reduce((m, v) => m + v.length, 0), 0);
  return new Promise((resolve) => setTimeout(resolve, Math.min(500, 10 + bytes / 10_000)));
}

function isPlotElement(value: unknown): value is Element {
  if (typeof value !== "object" || value === null) return false;
  const tag = (value as { tagName?: unknown }).tagName;
  return typeof tag === "string" && ["SVG", "FIGURE"].includes(tag.toUpperCase()) &&
    typeof (value as { outerHTML?: unknown }).outerHTML === "string";
}
