/**
 * Observable Plot in a notebook: {@link plot} renders Plot options to an SVG image.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { plotDocument } from "./dom.ts";
import { svgFromElement, type SvgView } from "./svg.ts";

/**
 * Render a Plot chart: the same options as `Plot.plot`, drawn into the course's DOM and returned
 * as one SVG image that `show()` displays.
 *
 * @example
 * await show(plot({ marks: [Plot.lineY([3, 1, 4, 1, 5])] }));
 */
export function plot(options: Plot.PlotOptions): SvgView {
  return svgFromElement(Plot.plot({ ...options, document: plotDocument() }));
}
