/**
 * Helpers of the display tests: a sink that records what it is sent, and an SVG parser.
 *
 * @module
 */
import { parseHTML } from "linkedom";
import { assert } from "./assert.ts";
import type { DisplaySink, MediaBundle, SinkOptions } from "../src/mod.ts";

/** A sink that records every message, as the kernel would receive them. */
export class RecordingSink implements DisplaySink {
  readonly messages: { bundle: MediaBundle; options: SinkOptions }[] = [];
  display(bundle: MediaBundle, options: SinkOptions = {}): Promise<void> {
    this.messages.push({ bundle, options });
    return Promise.resolve();
  }
}

/** Parse an SVG string and return its root element. */
export function parseSvg(svg: string): Element {
  const { document } = parseHTML(`<html><body>${svg}</body></html>`);
  const root = document.querySelector("body > svg");
  assert(root !== null, "no <svg> root");
  return root as unknown as Element;
}

/**
 * Run an interactive view's script as a browser would, in a linkedom document: the script is
 * compiled by `new Function` (so a client that leans on a module's scope fails here) with
 * `document.currentScript` set to it. Returns the document, the view's outermost element, the
 * document's `Event` (to fire inputs) and the errors the script logged, which fail the call
 * unless `errorsExpected`.
 */
export function runView(html: string, errorsExpected = false) {
  const { document, Event } = parseHTML(`<html><body>${html}</body></html>`);
  const scripts = [...document.querySelectorAll("script:not([type])")];
  assert(scripts.length === 1, `a view has one script, found ${scripts.length}`);
  const script = scripts[0];
  Object.defineProperty(document, "currentScript", { value: script, configurable: true });
  const errors: unknown[] = [];
  new Function("document", "console", script.textContent ?? "")(document, {
    error: (e: unknown) => errors.push(e),
  });
  if (!errorsExpected) {
    assert(errors.length === 0, `the view's script failed: ${errors.map(String).join("; ")}`);
  }
  const view = document.querySelector("[data-course-view]");
  assert(view !== null, "no view element");
  return {
    document: document as unknown as Document,
    view: view as unknown as HTMLElement,
    Event: Event as typeof globalThis.Event,
    errors,
  };
}

/** The PNG picture inside a view's HTML, checked to be a PNG: its bytes. */
export function viewPicture(html: string): Uint8Array {
  const png = /class="course-view-picture"[^>]*src="data:image\/png;base64,([^"]+)"/.exec(html)
    ?.[1];
  assert(png !== undefined, "the view has no PNG picture");
  const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0));
  assert(
    String.fromCharCode(...bytes.subarray(1, 4)) === "PNG",
    "the view's picture is not a PNG",
  );
  return bytes;
}
