/**
 * The browser side of the positions explorer (`positions_explorer.ts`): a slider picks a
 * position p; bars show its vector PE(p), dimension by dimension (sin and cos of each pair in
 * their own colour), and a line shows PE(p) · PE(q) for every position q, with p marked. Click
 * the line to move p there; readouts give the dot products with p ± 1 and p ± 8.
 *
 * Self-contained (see `interactive.ts`): it uses only its arguments and the browser's globals.
 *
 * @module
 */
import type { element } from "./view_kit.ts";

/** What the positions explorer draws. */
export interface PositionsViewData {
  /** Title above the view. */
  title: string;
  /** PE(p) for every position p, rounded to 3 decimals: `(T, C)`, C even. */
  vectors: number[][];
  /** PE(p) · PE(q) for every pair of positions, rounded to 2 decimals: `(T, T)`. */
  dots: number[][];
  /** The position shown first. */
  start: number;
}

/** The helpers the client calls. */
export interface PositionsHelpers {
  element: typeof element;
}

/** Draw the explorer into `root` (the position shown in `root.dataset.position`). */
export function positionsClient(
  root: HTMLElement,
  data: PositionsViewData,
  { element }: PositionsHelpers,
): void {
  const T = data.vectors.length;
  const C = data.vectors[0].length;
  const colours = { sin: "#1f77b4", cos: "#e6550d", p: "#d62728" };
  const muted = "color:#555;font-size:12px";
  let p = data.start;

  // Geometry shared by both charts: the same plot width, the same left margin for the y axes.
  const left = 44;
  const step = Math.max(4, Math.min(18, Math.floor(600 / C)));
  const width = step * C;
  const svgWidth = left + width + 16;

  // --- The vector PE(p): one bar per dimension, pairs on alternating shaded bands. ---
  const barTop = 8;
  const barHeight = 150;
  const zero = barTop + barHeight / 2;
  const labelEvery = Math.ceil(22 / (2 * step));
  const bands = Array.from({ length: C / 2 }, (_, k) =>
    element("svg:rect", {
      x: left + 2 * k * step,
      y: barTop,
      width: 2 * step,
      height: barHeight,
      fill: k % 2 === 0 ? "#f3f3f3" : "#fff",
    }));
  const pairLabels = Array.from({ length: C / 2 }, (_, k) => k)
    .filter((k) => k % labelEvery === 0)
    .map((k) =>
      element("svg:text", {
        x: left + (2 * k + 1) * step,
        y: barTop + barHeight + 13,
        "text-anchor": "middle",
      }, [String(k)])
    );
  const tips: SVGTitleElement[] = [];
  const bars = Array.from({ length: C }, (_, i) => {
    const tip = element("svg:title") as unknown as SVGTitleElement;
    tips.push(tip);
    return element("svg:rect", {
      class: "course-component",
      "data-i": i,
      x: left + i * step + (step > 5 ? 1 : 0),
      width: step > 5 ? step - 2 : step - 1,
      fill: i % 2 === 0 ? colours.sin : colours.cos,
    }, [tip]);
  });
  const yAxis = (top: number, height: number, ticks: { value: number; y: number }[]) =>
    ticks.flatMap(({ value, y }) => [
      element("svg:line", {
        x1: left,
        x2: left + width,
        y1: y,
        y2: y,
        stroke: value === 0 ? "#888" : "#e2e2e2",
      }),
      element("svg:text", { x: left - 5, y: y + 3, "text-anchor": "end" }, [String(value)]),
    ]).concat(
      element("svg:line", { x1: left, x2: left, y1: top, y2: top + height, stroke: "#888" }),
    );
  // One chart: an SVG as wide as the other, its caption centred under the plot's bottom edge.
  const chart = (bottom: number, caption: string, marks: Element[]) =>
    element("svg:svg", {
      width: svgWidth,
      height: bottom + 34,
      "font-size": 10,
      style: "display:block;max-width:100%",
    }, [
      ...marks,
      element("svg:text", {
        x: left + width / 2,
        y: bottom + 28,
        "text-anchor": "middle",
        fill: "#555",
      }, [caption]),
    ]);
  const vectorChart = chart(
    barTop + barHeight,
    "pair k: dimension 2k holds sin(p·ω_k), dimension 2k + 1 holds cos(p·ω_k)",
    [
      ...bands,
      ...yAxis(
        barTop,
        barHeight,
        [1, 0.5, 0, -0.5, -1].map((v) => ({
          value: v,
          y: zero - (v * barHeight) / 2,
        })),
      ),
      ...bars,
      ...pairLabels,
    ],
  );

  // --- The dot products PE(p) · PE(q): a line over q, one point per q, p marked. ---
  const all = data.dots.flat();
  const tickStep = niceStep((Math.max(...all) - Math.min(...all)) / 5);
  const low = Math.floor(Math.min(...all) / tickStep) * tickStep;
  const high = Math.ceil(Math.max(...all) / tickStep) * tickStep;
  const dotTop = 10;
  const dotHeight = 170;
  const xq = (q: number) => left + (T === 1 ? width / 2 : (q * width) / (T - 1));
  const yd = (v: number) => dotTop + ((high - v) / (high - low || 1)) * dotHeight;
  const ticks = Array.from(
    { length: Math.round((high - low) / tickStep) + 1 },
    (_, n) => Number((low + n * tickStep).toFixed(6)),
  ).map((value) => ({ value, y: yd(value) }));
  const qEvery = Math.ceil(T / 8 / 4) * 4 || 1;
  const qLabels = Array.from({ length: T }, (_, q) => q)
    .filter((q) => q % qEvery === 0 || q === T - 1)
    .map((q) =>
      element("svg:text", {
        x: xq(q),
        y: dotTop + dotHeight + 13,
        "text-anchor": "middle",
      }, [String(q)])
    );
  const line = element("svg:path", { fill: "none", stroke: "#333", "stroke-width": 1.5 });
  const pRule = element("svg:line", {
    y1: dotTop,
    y2: dotTop + dotHeight,
    stroke: colours.p,
    "stroke-dasharray": "4 3",
  });
  const rings = [-8, -1, 1, 8].map(() =>
    element("svg:circle", { r: 5, fill: "none", stroke: colours.p, "stroke-width": 1.5 })
  );
  const dots = Array.from(
    { length: T },
    (_, q) =>
      element("svg:circle", { class: "course-dot", "data-q": q, cx: xq(q), r: 2.5, fill: "#333" }),
  );
  const hoverRule = element("svg:line", {
    y1: dotTop,
    y2: dotTop + dotHeight,
    stroke: "#999",
    visibility: "hidden",
  });
  const hover = element("div", { class: "course-hover", style: muted + ";min-height:16px" });
  let hovered = -1; // the position q under the mouse, −1 for none
  function showHovered(): void {
    const q = hovered;
    hoverRule.setAttribute("visibility", q < 0 ? "hidden" : "visible");
    hoverRule.setAttribute("x1", String(xq(Math.max(0, q))));
    hoverRule.setAttribute("x2", String(xq(Math.max(0, q))));
    hover.textContent = q < 0
      ? "Hover over the line to read a value; click it to move p there."
      : `q = ${q}: PE(${p}) · PE(${q}) = ${data.dots[p][q].toFixed(2)}` +
        ` (|p − q| = ${Math.abs(p - q)}); click to move p here.`;
  }
  const qAt = (event: Event): number => {
    const box = dotChart.getBoundingClientRect();
    const scale = box.width > 0 ? svgWidth / box.width : 1;
    const x = ((event as MouseEvent).clientX - box.left) * scale;
    const q = Math.round(((x - left) / width) * (T - 1));
    return Math.max(0, Math.min(T - 1, q));
  };
  const overlay = element("svg:rect", {
    x: left - step,
    y: dotTop,
    width: width + 2 * step,
    height: dotHeight,
    fill: "transparent",
    style: "cursor:pointer",
    onmousemove: (event) => {
      hovered = qAt(event);
      showHovered();
    },
    onmouseleave: () => {
      hovered = -1;
      showHovered();
    },
    onclick: (event) => setPosition(qAt(event)),
  });
  const dotChart = chart(dotTop + dotHeight, "position q", [
    ...yAxis(dotTop, dotHeight, ticks),
    pRule,
    hoverRule,
    line,
    ...dots,
    ...rings,
    ...qLabels,
    overlay,
  ]);

  // --- Controls and readouts. ---
  const slider = element("input", {
    type: "range",
    class: "course-position",
    "aria-label": "position p",
    min: 0,
    max: T - 1,
    step: 1,
    value: p,
    style: "width:300px;vertical-align:middle",
    oninput: () => setPosition(Number(slider.value)),
  }) as HTMLInputElement;
  const shown = element("b", { style: "display:inline-block;min-width:56px" });
  const vectorTitle = element("div", { style: "font-weight:bold;margin-top:8px" });
  const dotTitle = element("div", { style: "font-weight:bold;margin-top:6px" });
  const readout = element("div", { class: "course-readout", style: "margin-top:4px;color:#222" });
  const swatch = (colour: string) =>
    element("span", {
      style: `display:inline-block;width:10px;height:10px;background:${colour};` +
        "margin:0 4px 0 10px;vertical-align:middle",
    });
  root.append(
    element("div", { style: "font-weight:bold;font-size:15px;margin-bottom:6px" }, [data.title]),
    element("label", {}, ["position p ", slider, " ", shown]),
    element("span", { style: muted + ";margin-left:8px" }, [`(0 to ${T - 1}; or the arrow keys)`]),
    vectorTitle,
    element("div", { style: muted }, [
      swatch(colours.sin),
      "sin (even dimensions)",
      swatch(colours.cos),
      "cos (odd dimensions)",
      ` — each pair k turns at its own speed ω_k: fast on the left, slow on the right`,
    ]),
    vectorChart,
    dotTitle,
    element("div", { style: muted }, [
      `each pair adds sin(p·ω)·sin(q·ω) + cos(p·ω)·cos(q·ω) = cos((p − q)·ω); `,
      element("span", { style: `color:${colours.p}` }, ["dashed: q = p; rings: q = p ± 1, p ± 8"]),
    ]),
    dotChart,
    hover,
    readout,
  );

  // Whether PE(p) · PE(p + k) is the same for every p (within the shipped rounding).
  const slides = data.dots.every((row, a) =>
    row.every((v, b) => Math.abs(v - data.dots[0][Math.abs(a - b)]) <= 0.011)
  );

  function setPosition(position: number): void {
    if (position === p) return;
    p = position;
    update();
  }

  function update(): void {
    root.dataset.position = String(p);
    slider.value = String(p);
    shown.textContent = `= ${p}`;
    vectorTitle.textContent = `PE(${p}): its ${C} numbers, ${C / 2} (sin, cos) pairs`;
    dotTitle.textContent = `PE(${p}) · PE(q) for every position q`;
    const vector = data.vectors[p];
    bars.forEach((bar, i) => {
      const v = vector[i];
      const h = Math.max(0.8, (Math.abs(v) * barHeight) / 2);
      bar.setAttribute("y", String(v >= 0 ? zero - h : zero));
      bar.setAttribute("height", String(h));
      bar.setAttribute("data-value", v.toFixed(3));
      const k = Math.floor(i / 2);
      tips[i].textContent = `dimension ${i} = ${i % 2 === 0 ? "sin" : "cos"}(${p}·ω_${k}): ` +
        v.toFixed(3);
    });
    const row = data.dots[p];
    dots.forEach((dot, q) => {
      dot.setAttribute("cy", String(yd(row[q])));
      dot.setAttribute("data-value", row[q].toFixed(2));
      dot.setAttribute("r", q === p ? "4" : "2.5");
      dot.setAttribute("fill", q === p ? colours.p : "#333");
    });
    line.setAttribute(
      "d",
      row.map((v, q) => `${q === 0 ? "M" : "L"}${xq(q).toFixed(1)},${yd(v).toFixed(1)}`).join(""),
    );
    pRule.setAttribute("x1", String(xq(p)));
    pRule.setAttribute("x2", String(xq(p)));
    [-8, -1, 1, 8].forEach((k, n) => {
      const q = p + k;
      const inside = q >= 0 && q < T;
      rings[n].setAttribute("visibility", inside ? "visible" : "hidden");
      if (inside) {
        rings[n].setAttribute("cx", String(xq(q)));
        rings[n].setAttribute("cy", String(yd(row[q])));
      }
    });
    showHovered();
    const at = (k: number) => (p + k >= 0 && p + k < T ? row[p + k].toFixed(2) : "—");
    const lowest = Math.min(...row);
    const half = Math.abs(row[p] - C / 2) <= 0.011;
    readout.replaceChildren(
      element("div", {}, [
        `PE(${p}) · PE(${p}) = ${row[p].toFixed(2)}`,
        half
          ? `, the largest: C/2 = ${C / 2}, since each of the ${C / 2} pairs adds ` +
            `sin² + cos² = 1.`
          : ".",
      ]),
      element("div", {}, [
        `Neighbours: with p − 1, ${at(-1)}; with p + 1, ${at(1)}. ` +
        `Eight apart: with p − 8, ${at(-8)}; with p + 8, ${at(8)}` +
        (p < 8 || p + 8 >= T ? ` (—: not a position).` : "."),
      ]),
      element("div", {}, [`Least alike: q = ${row.indexOf(lowest)}, ${lowest.toFixed(2)}.`]),
      element("div", { style: muted }, [
        slides
          ? "Move p: the line is the same curve, mirrored on both sides of p, and the numbers " +
            "with p ± 1 and p ± 8 stay the same wherever those are positions, because " +
            "PE(p) · PE(q) depends on |p − q| alone."
          : "Move p and watch how the line changes.",
      ]),
    );
  }

  /** A round step (1, 2 or 5 times a power of ten) close to `raw`. */
  function niceStep(raw: number): number {
    if (!(raw > 0)) return 1;
    const power = Math.pow(10, Math.floor(Math.log10(raw)));
    const m = raw / power;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * power;
  }

  update();
}
