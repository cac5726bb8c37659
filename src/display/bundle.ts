/**
 * What a notebook displays: a Jupyter media bundle (mime type → content), and the protocol by
 * which an object says how it wants to be displayed.
 *
 * @module
 */

/** A Jupyter media bundle, e.g. `{ "text/plain": "...", "image/svg+xml": "<svg ...>" }`. */
export type MediaBundle = Record<string, string>;

/**
 * The symbol the Deno kernel looks up to display an object richly (`Deno.jupyter.$display`,
 * which is `Symbol.for("Jupyter.display")`). Defined here so `src/` needs no kernel to load.
 */
export const DISPLAY: unique symbol = Symbol.for("Jupyter.display") as typeof DISPLAY;

/** An object that knows how it is displayed in a notebook. */
export interface Displayable {
  /** The media bundle to display. */
  [DISPLAY](): MediaBundle;
}

/** True when `value` implements {@link Displayable}. */
export function isDisplayable(value: unknown): value is Displayable {
  return typeof value === "object" && value !== null &&
    typeof (value as Partial<Displayable>)[DISPLAY] === "function";
}

/** A displayable made from a fixed bundle. */
export class BundleView implements Displayable {
  /** @param bundle what to display; it should hold a `text/plain` fallback. */
  constructor(readonly bundle: MediaBundle) {}
  /** The bundle. */
  [DISPLAY](): MediaBundle {
    return this.bundle;
  }
}

/** Markdown text displayed as formatted markdown (e.g. a recap with computed numbers). */
export function markdown(text: string): BundleView {
  return new BundleView({ "text/markdown": text, "text/plain": text });
}

/** Escape text for HTML and XML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
