/**
 * Small self-contained helpers for the browser side of interactive views (`interactive.ts`):
 * each is sent to the browser as its source text, so none may use anything but its arguments
 * and the browser's globals.
 *
 * @module
 */

/** Attributes of {@link element}: `style` as CSS text, `on*` as listeners, the rest as strings. */
export type ElementAttributes = Record<string, string | number | ((event: Event) => void)>;

/**
 * A new HTML element (or SVG element, for `svg:`-prefixed tags such as `"svg:rect"`) with
 * `attributes` and `children` (strings become text).
 */
export function element(
  tag: string,
  attributes: ElementAttributes = {},
  children: (Node | string)[] = [],
): HTMLElement {
  const svg = tag.startsWith("svg:");
  const node = svg
    ? document.createElementNS("http://www.w3.org/2000/svg", tag.slice(4))
    : document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === "function") node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, String(value));
  }
  for (const child of children) {
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node as HTMLElement;
}

/**
 * The colour of `value` in [0, 1] on a white-to-dark-blue ramp (close to the course charts'
 * "blues" scheme), as CSS `rgb(...)`; values outside [0, 1] are clamped.
 */
export function blues(value: number): string {
  const t = Math.min(1, Math.max(0, value));
  const light = [247, 251, 255];
  const dark = [8, 48, 107];
  const channel = (i: number) => Math.round(light[i] + (dark[i] - light[i]) * Math.sqrt(t));
  return `rgb(${channel(0)}, ${channel(1)}, ${channel(2)})`;
}

/** Text colour that reads on a {@link blues} background of `value`. */
export function inkOnBlues(value: number): string {
  return value > 0.45 ? "#fff" : "#111";
}
