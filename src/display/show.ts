/**
 * `show()`: display values in a notebook so that the output cannot be lost.
 *
 * The Deno kernel can report a cell as finished before the cell's last outputs have been sent,
 * and JupyterLab and nbclient then drop them. `show()` displays its values and then waits until
 * the kernel confirms they have left (`delivery.ts`), so they are out before the cell ends. Use
 * it instead of a bare last expression.
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
  await sink.delivered?.(bundles);
}

function isPlotElement(value: unknown): value is Element {
  if (typeof value !== "object" || value === null) return false;
  const tag = (value as { tagName?: unknown }).tagName;
  return typeof tag === "string" && ["SVG", "FIGURE"].includes(tag.toUpperCase()) &&
    typeof (value as { outerHTML?: unknown }).outerHTML === "string";
}
