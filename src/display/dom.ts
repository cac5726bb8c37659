/**
 * A DOM for Observable Plot outside the browser (linkedom), with the one thing Plot needs that
 * linkedom lacks: a canvas for continuous colour legends.
 *
 * Plot paints a colour ramp by filling one pixel column per step on a `<canvas>` and embedding
 * `canvas.toDataURL()` as an image. The stand-in below records those fills and returns the same
 * picture as an SVG data URL, so Plot's own legend code runs unchanged.
 *
 * @module
 */
import { parseHTML } from "linkedom";

let shared: Document | undefined;

/** The document Plot renders into (made once, reused). */
export function plotDocument(): Document {
  if (shared === undefined) {
    shared = parseHTML("<!doctype html><html><head></head><body></body></html>")
      .document as unknown as Document;
    installCanvasStandIn(shared);
  }
  return shared;
}

interface RecordingCanvas {
  width: number;
  height: number;
  fills?: { x: number; y: number; w: number; h: number; style: string }[];
}

function installCanvasStandIn(document: Document): void {
  const proto = Object.getPrototypeOf(document.createElement("canvas"));
  Object.defineProperty(proto, "getContext", {
    configurable: true,
    value(this: RecordingCanvas, kind: string) {
      if (kind !== "2d") return null;
      const fills: NonNullable<RecordingCanvas["fills"]> = (this.fills = []);
      return {
        fillStyle: "#000",
        fillRect(x: number, y: number, w: number, h: number) {
          fills.push({ x, y, w, h, style: String(this.fillStyle) });
        },
      };
    },
  });
  Object.defineProperty(proto, "toDataURL", {
    configurable: true,
    value(this: RecordingCanvas) {
      const rects = (this.fills ?? []).map((f) =>
        `<rect x="${f.x}" y="${f.y}" width="${f.w}" height="${f.h}" fill="${f.style}"/>`
      ).join("");
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${this.width}" ` +
        `height="${this.height}" shape-rendering="crispEdges">${rects}</svg>`;
      return `data:image/svg+xml;base64,${btoa(svg)}`;
    },
  });
}
