import { assert, assertEquals } from "../assert.ts";
import { DISPLAY, type MediaBundle, plot, svgToPng, withPngCopy } from "../../src/mod.ts";
import * as Plot from "@observablehq/plot";

const PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

/** Width and height from a PNG's IHDR chunk (bytes 16–23, big-endian). */
function pngSize(png: Uint8Array): { width: number; height: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

function svg(body: string, width = 120, height = 40): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<rect width="100%" height="100%" fill="white"/>${body}</svg>`;
}

Deno.test("svgToPng: a PNG at the SVG's own size", async () => {
  const png = await svgToPng(svg("", 123, 45));
  assertEquals([...png.subarray(0, 8)], PNG_SIGNATURE);
  assertEquals(pngSize(png), { width: 123, height: 45 });
});

Deno.test("svgToPng draws text with the shipped fonts, regular and bold", async () => {
  const blank = await svgToPng(svg(""));
  const text = await svgToPng(svg(`<text x="4" y="26" font-size="16">Attention</text>`));
  const bold = await svgToPng(
    svg(`<text x="4" y="26" font-size="16" font-weight="bold">Attention</text>`),
  );
  const sameBytes = (a: Uint8Array, b: Uint8Array) =>
    a.length === b.length && a.every((x, i) => x === b[i]);
  // Without a font, resvg draws no text at all: the image would be the blank one.
  assert(!sameBytes(text, blank), "the text was not drawn (no font found)");
  assert(!sameBytes(bold, text), "bold text drew as regular (the bold font is missing)");
});

Deno.test("withPngCopy: charts gain an image/png copy; other bundles are left alone", async () => {
  const chart = plot({ title: "Loss", marks: [Plot.lineY([3, 2, 1.5])] });
  const bundle = await withPngCopy(chart[DISPLAY]());
  const png = Uint8Array.from(atob(bundle["image/png"]), (c) => c.charCodeAt(0));
  assertEquals([...png.subarray(0, 8)], PNG_SIGNATURE);
  const width = Number(/width="(\d+(?:\.\d+)?)"/.exec(bundle["image/svg+xml"])![1]);
  assertEquals(pngSize(png).width, Math.ceil(width));
  assertEquals(bundle["text/plain"], "[plot: Loss]");
  const text: MediaBundle = { "text/plain": "no chart" };
  assert(await withPngCopy(text) === text, "a bundle without SVG changed");
  const both: MediaBundle = { "image/svg+xml": svg(""), "image/png": "AAAA", "text/plain": "x" };
  assert(await withPngCopy(both) === both, "a bundle that has a PNG was drawn again");
});

Deno.test("svgToPng rejects a document that is not SVG, saying so", async () => {
  let message = "";
  try {
    await svgToPng("<html>not a chart</html>");
  } catch (error) {
    message = (error as Error).message;
  }
  assert(
    /^cannot draw "<html>not a chart.*" as a PNG .*expected a standalone SVG document/.test(
      message,
    ),
    message,
  );
});
