/**
 * A PNG copy of every chart, so that a notebook shows its charts before anyone trusts it.
 *
 * JupyterLab renders `image/svg+xml` only in a trusted notebook, and a notebook that was cloned
 * or downloaded is not trusted: its charts fall back to their `text/plain` line. A PNG is shown
 * either way, so each chart's bundle also carries one (a trusted notebook still prefers the SVG).
 * The SVG is drawn here by resvg (WebAssembly, from npm) with the DejaVu Sans fonts (from npm),
 * at one pixel per SVG unit.
 *
 * @module
 */
import { initWasm, Resvg } from "@resvg/resvg-wasm";
import type { MediaBundle } from "./bundle.ts";

const FONT_FAMILY = "DejaVu Sans";
const FONT_FILES = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"];

let fonts: Promise<Uint8Array[]> | undefined;

/** Start resvg and read the fonts, once per process. */
function ready(): Promise<Uint8Array[]> {
  fonts ??= (async () => {
    await initWasm(Deno.readFile(new URL(import.meta.resolve("@resvg/resvg-wasm/index_bg.wasm"))));
    return await Promise.all(
      FONT_FILES.map((file) =>
        Deno.readFile(new URL(import.meta.resolve(`dejavu-fonts-ttf/ttf/${file}`)))
      ),
    );
  })();
  return fonts;
}

/** The PNG image of a standalone SVG document, drawn at its own width and height. */
export async function svgToPng(svg: string): Promise<Uint8Array> {
  const fontBuffers = await ready();
  let resvg;
  try {
    resvg = new Resvg(svg, {
      font: { fontBuffers, defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY },
    });
  } catch (error) {
    throw new Error(
      `cannot draw "${svg.slice(0, 40)}…" as a PNG ` +
        `(${error instanceof Error ? error.message : String(error)}); ` +
        `expected a standalone SVG document`,
    );
  }
  try {
    const image = resvg.render();
    try {
      return image.asPng();
    } finally {
      image.free();
    }
  } finally {
    resvg.free();
  }
}

/**
 * `bundle` with an `image/png` copy (base64) of its `image/svg+xml` part, if it has one and no
 * PNG yet; other bundles as they are.
 */
export async function withPngCopy(bundle: MediaBundle): Promise<MediaBundle> {
  const svg = bundle["image/svg+xml"];
  if (svg === undefined || bundle["image/png"] !== undefined) return bundle;
  return { ...bundle, "image/png": base64(await svgToPng(svg)) };
}

/** `bytes` as base64 text. */
export function base64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}
