/**
 * Plot output as one standalone SVG image.
 *
 * `Plot.plot` returns an `<svg>`, or a `<figure>` holding a title (`<h2>`), subtitle (`<h3>`),
 * legends (an `<svg>` ramp, or HTML swatches), the chart `<svg>` and a `<figcaption>`. A notebook
 * shows `image/svg+xml` everywhere (JupyterLab, VS Code, a code host's notebook viewer), whereas
 * HTML figures are sanitised away by some viewers; so the figure is laid out here, top to bottom,
 * as a single SVG on a white background.
 *
 * @module
 */
import { DISPLAY, type Displayable, escapeXml, type MediaBundle } from "./bundle.ts";

/** An SVG image that displays as `image/svg+xml`. */
export class SvgView implements Displayable {
  /**
   * @param svg a standalone SVG document (root element with the SVG namespace)
   * @param description a one-line text fallback, e.g. the title
   */
  constructor(readonly svg: string, readonly description: string) {}
  /** The bundle: the SVG, with a text fallback. */
  [DISPLAY](): MediaBundle {
    return { "image/svg+xml": this.svg, "text/plain": `[${this.description}]` };
  }
}

const TEXT_STYLES: Record<string, { size: number; line: number; weight: string; fill: string }> = {
  H2: { size: 16, line: 26, weight: "bold", fill: "#111" },
  H3: { size: 13, line: 20, weight: "normal", fill: "#555" },
  FIGCAPTION: { size: 12, line: 20, weight: "normal", fill: "#555" },
};
const SWATCH = 15;
const CHAR_WIDTH = 6; // approximate advance of a 10px sans-serif character
const PADDING = 12; // left and right margin of the whole image

/** Turn the element that `Plot.plot` (or a Plot legend) returned into an {@link SvgView}. */
export function svgFromElement(element: Element): SvgView {
  const parts = element.tagName.toUpperCase() === "FIGURE" ? [...element.children] : [element];
  // Wide enough for every chart and every line of text, with a margin on both sides so that
  // labels centred on the first and last ticks (a colour ramp's ends) are not cut off.
  const width = 2 * PADDING + Math.max(
    ...parts.map((p) => {
      const tag = p.tagName.toUpperCase();
      if (tag === "SVG") return numberAttr(p, "width", 0);
      if (tag in TEXT_STYLES) {
        return (p.textContent ?? "").trim().length * TEXT_STYLES[tag].size * 0.6;
      }
      return 0;
    }),
    320,
  );
  const body: string[] = [];
  let y = 0;
  let title = "";
  for (const part of parts) {
    const tag = part.tagName.toUpperCase();
    if (tag === "SVG") {
      part.setAttribute("x", String(PADDING));
      part.setAttribute("overflow", "visible"); // Plot asks for it in CSS, which not every viewer applies
      part.setAttribute("y", String(y));
      body.push(part.outerHTML);
      y += numberAttr(part, "height", 0) + 4;
    } else if (tag in TEXT_STYLES) {
      const style = TEXT_STYLES[tag];
      const text = (part.textContent ?? "").trim();
      if (tag === "H2" && title === "") title = text;
      body.push(
        `<text x="${PADDING}" y="${y + style.line - 6}" font-size="${style.size}" ` +
          `font-weight="${style.weight}" fill="${style.fill}">${escapeXml(text)}</text>`,
      );
      y += style.line;
    } else if (part.querySelector("[class$='-swatch']") !== null) {
      const laidOut = layOutSwatches(part, y, width);
      body.push(laidOut.svg);
      y = laidOut.bottom;
    } else {
      const text = (part.textContent ?? "").trim();
      if (text !== "") {
        body.push(`<text x="${PADDING}" y="${y + 14}" font-size="12">${escapeXml(text)}</text>`);
        y += 20;
      }
    }
  }
  const height = Math.ceil(y);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="10">` +
    `<rect width="100%" height="100%" fill="white"/>${body.join("")}</svg>`;
  return new SvgView(svg, title === "" ? `plot ${width}×${height}` : `plot: ${title}`);
}

/** Plot's categorical legend is HTML (a swatch square and a label per category): redraw it. */
function layOutSwatches(legend: Element, top: number, width: number) {
  const out: string[] = [];
  let x = PADDING;
  let y = top + 6;
  for (const swatch of legend.querySelectorAll("[class$='-swatch']")) {
    const square = swatch.querySelector("svg");
    const fill = square?.getAttribute("fill") ?? square?.getAttribute("stroke") ?? "#888";
    const label = (swatch.textContent ?? "").trim();
    const advance = SWATCH + 6 + label.length * CHAR_WIDTH + 16;
    if (x > PADDING && x + advance > width - PADDING) {
      x = PADDING;
      y += SWATCH + 8;
    }
    out.push(
      `<rect x="${x}" y="${y}" width="${SWATCH}" height="${SWATCH}" fill="${escapeXml(fill)}"/>` +
        `<text x="${x + SWATCH + 6}" y="${y + 11}" fill="#111">${escapeXml(label)}</text>`,
    );
    x += advance;
  }
  return { svg: out.join(""), bottom: y + SWATCH + 10 };
}

function numberAttr(element: Element, name: string, fallback: number): number {
  const value = Number(element.getAttribute(name));
  return Number.isFinite(value) && value > 0 ? value : fallback;
}
