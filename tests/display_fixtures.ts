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
