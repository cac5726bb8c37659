/**
 * Interactive views: a cell output that is self-contained HTML and JavaScript (no server, no
 * network), with a static picture in the same output.
 *
 * A notebook that was cloned or downloaded is not trusted, and JupyterLab then strips every
 * script from its HTML outputs but keeps their images. So the view's HTML holds a PNG of its
 * first state, a note saying how big the view is, its data (JSON) and a script; where the
 * script runs (a freshly run cell, a trusted notebook, VS Code, an HTML export) it hides the
 * picture and draws the live view in its place.
 *
 * The browser side of a view is a TypeScript function in `src/` that uses nothing but its
 * arguments and the browser's globals: it is sent as its own source text (what
 * `Function.prototype.toString` gives, types already stripped), and so are its helpers. In the
 * browser each helper is bound to its name, so a helper may call another helper sent with it by
 * that name, as it calls the module's function of the same name in Deno. A test runs every
 * client through `new Function`, where a closure over a module would fail.
 *
 * @module
 */
import { DISPLAY, type Displayable, escapeXml, type MediaBundle } from "./bundle.ts";
import { base64, svgToPng } from "./raster.ts";
import type { SvgView } from "./svg.ts";

/** A self-contained function, sent to the browser as its source text. */
export type BrowserFunction = (...args: never[]) => unknown;

/** What {@link interactiveView} needs. */
export interface InteractiveViewOptions<D, H extends Record<string, BrowserFunction>> {
  /** What the view is, e.g. "attention explorer": the text fallback and the size note. */
  name: string;
  /** What the browser draws, and nothing more (rounded numbers): it is shipped as JSON. */
  data: D;
  /** Draws the live view into `root`; self-contained (see the module doc). */
  client: (root: HTMLElement, data: D, helpers: H) => void;
  /** Self-contained functions the client calls, by name (each may call the others by name). */
  helpers: H;
  /** The picture of the view's first state, shown until the script runs. */
  fallback: SvgView;
}

/** An interactive view, ready to `show()`: HTML with its picture, data and script. */
export class InteractiveView<D = unknown> implements Displayable {
  /**
   * @param name what the view is
   * @param html the whole output
   * @param data what the browser draws (shipped in the HTML as JSON)
   * @param dataBytes the size of that JSON, in bytes (UTF-8)
   */
  constructor(
    readonly name: string,
    readonly html: string,
    readonly data: D,
    readonly dataBytes: number,
  ) {}

  /** The output's size in bytes: picture, data and script together. */
  get bytes(): number {
    return new TextEncoder().encode(this.html).length;
  }

  /** The bundle: the HTML, and a line of text for viewers without HTML. */
  [DISPLAY](): MediaBundle {
    return {
      "text/html": this.html,
      "text/plain": `[${this.name}: interactive; run the cell in JupyterLab to explore it]`,
    };
  }
}

/** The attribute that marks a view's outermost element; its value is the view's name. */
export const VIEW_ATTRIBUTE = "data-course-view";

/** JSON that may sit inside a `<script>` element (no `<`, so no `</script>`). */
function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

/** A size in kB with one decimal. */
function kilobytes(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} kB`;
}

/** Build the view: draw its picture (PNG), then put picture, note, data and script together. */
export async function interactiveView<D, H extends Record<string, BrowserFunction>>(
  options: InteractiveViewOptions<D, H>,
): Promise<InteractiveView<D>> {
  const json = scriptSafeJson(options.data);
  const jsonBytes = new TextEncoder().encode(json).length;
  const { width, height } = svgSize(options.fallback.svg);
  const png = await svgToPng(options.fallback.svg);
  const names = Object.keys(options.helpers);
  const badName = names.find((name) => !/^[A-Za-z_$][\w$]*$/.test(name));
  if (badName !== undefined) {
    throw new RangeError(`a helper's name must be a JavaScript identifier, got "${badName}"`);
  }
  const helpers = Object.entries(options.helpers)
    .map(([name, fn]) => `const ${name} = (${fn.toString()});`).join("\n");
  // Find this script's view, read its data, swap the picture for the live view; on an error,
  // keep the picture and say what went wrong (the error also goes to the console).
  const script = `(() => {
// A front end that runs the script by other means than a script element has no currentScript:
// then this is the latest view not yet started.
const view = document.currentScript?.closest("[${VIEW_ATTRIBUTE}]") ??
  [...document.querySelectorAll("[${VIEW_ATTRIBUTE}]:not([data-started])")].pop();
view.setAttribute("data-started", "");
const picture = view.querySelector(".course-view-picture");
const note = view.querySelector(".course-view-note");
const data = JSON.parse(view.querySelector(".course-view-data").textContent);
const helpers = (() => {\n${helpers}\nreturn { ${names.join(", ")} };\n})();
const live = document.createElement("div");
live.className = "course-view-live";
try {
  (${options.client.toString()})(live, data, helpers);
  picture.replaceWith(live);
  note.textContent = ${scriptSafeJson(`${options.name}, live (data: ${kilobytes(jsonBytes)})`)};
} catch (error) {
  note.textContent = "The live view failed (" + error + "); the picture shows its first state.";
  console.error(error);
}
})();`;
  const style = "display:inline-block;background:#fff;color:#111;padding:8px 10px;" +
    "font:13px system-ui,sans-serif;border:1px solid #ddd;border-radius:4px";
  const picture = `<img class="course-view-picture" width="${width}" height="${height}" ` +
    `alt="${escapeXml(options.fallback.description)}" src="data:image/png;base64,${base64(png)}">`;
  const html = `<div ${VIEW_ATTRIBUTE}="${escapeXml(options.name)}" style="${style}">` +
    picture +
    `<div class="course-view-note" style="color:#555;font-size:12px;margin-top:4px">` +
    escapeXml(
      `${options.name}: a picture of its first state. Run the cell to explore it ` +
        `(the live view's data: ${kilobytes(jsonBytes)}).`,
    ) + `</div>` +
    `<script type="application/json" class="course-view-data">${json}</script>` +
    `<script>${script}</script></div>`;
  return new InteractiveView(options.name, html, options.data, jsonBytes);
}

/** The width and height of an SVG document's root element. */
function svgSize(svg: string): { width: number; height: number } {
  const root = /<svg\b[^>]*>/.exec(svg)?.[0] ?? "";
  const number = (name: string) => Number(new RegExp(`\\s${name}="([0-9.]+)"`).exec(root)?.[1]);
  const [width, height] = [number("width"), number("height")];
  if (!(width > 0 && height > 0)) {
    throw new RangeError(
      `a view's picture needs an SVG with a width and a height, got ` +
        `"${svg.slice(0, 80)}…"`,
    );
  }
  return { width, height };
}
