/**
 * The browser side of the sampling explorer (`sampling_explorer.ts`): sliders for temperature,
 * top-k, top-p and min-p redraw the distribution the next token would be drawn from, computed by
 * the course's own sampler (`filteredDistribution`, passed in as a helper).
 *
 * Self-contained (see `display/interactive.ts`): it uses only its arguments and the browser's
 * globals.
 *
 * @module
 */
import type { element } from "../display/view_kit.ts";
import type { argmax, filteredDistribution, SamplingOptions } from "./sampling.ts";

/** What the sampling explorer draws. */
export interface SamplingViewData {
  /** Title above the view. */
  title: string;
  /** The text whose next token is drawn. */
  prompt: string;
  /** Each token id's label, as it should read ("␣" for a space, "⏎" for a newline). */
  tokens: string[];
  /** The model's scores for the next token, rounded to 3 decimals: what the view samples from. */
  logits: number[];
  /** How many of the likeliest candidates are drawn as bars. */
  shown: number;
  /** The first state's settings, as given. */
  start: SamplingOptions;
}

/** One state of the explorer: the distribution before and after the filters. */
export interface SamplingState {
  /** The probabilities after temperature, before top-k, top-p and min-p. */
  tempered: Float64Array;
  /** The probabilities the next token is drawn with (what `nextTokenDistribution` gives). */
  final: Float64Array;
  /** How many tokens can be drawn (probability above 0). */
  kept: number;
  /** The tempered probability of those tokens together, before renormalising. */
  mass: number;
}

/**
 * The state for `options`, `distribution` being the course's `filteredDistribution`.
 * Self-contained: the server computes the first state with it, the browser every later one.
 */
export function samplingState(
  logits: ArrayLike<number>,
  options: SamplingOptions,
  distribution: typeof filteredDistribution,
): SamplingState {
  const final = distribution(logits, options);
  const tempered = distribution(logits, { temperature: options.temperature });
  let kept = 0;
  let mass = 0;
  for (let i = 0; i < final.length; i++) {
    if (final[i] > 0) {
      kept++;
      mass += tempered[i];
    }
  }
  return { tempered, final, kept, mass };
}

/**
 * The bars' scale: they run from 0 to 25 %, 50 % or 100 %, the smallest that fits `largest`,
 * the largest probability drawn. Self-contained: the picture and the browser both use it.
 */
export function barScale(largest: number): number {
  return largest <= 0.25 ? 0.25 : largest <= 0.5 ? 0.5 : 1;
}

/** A probability as a percentage that never reads 0 for a token that can be drawn. */
export function percent(p: number): string {
  return p === 0
    ? "0 %"
    : p >= 0.01
    ? `${(100 * p).toFixed(1)} %`
    : p >= 0.0001
    ? `${(100 * p).toFixed(2)} %`
    : "< 0.01 %";
}

/**
 * A candidate's bar text: its probability after temperature → the one it is drawn with, or
 * "cut" where a filter removed it ("0 %" alone where temperature left it nothing to cut).
 * Self-contained but for {@link percent}: the picture and the browser both use it.
 */
export function barText(tempered: number, final: number): string {
  return final > 0
    ? `${percent(tempered)} → ${percent(final)}`
    : tempered > 0
    ? `${percent(tempered)} → cut`
    : percent(0);
}

/** The helpers the client calls. */
export interface SamplingHelpers {
  element: typeof element;
  /** Not called by the client: `filteredDistribution` calls it, by name. */
  argmax: typeof argmax;
  filteredDistribution: typeof filteredDistribution;
  samplingState: typeof samplingState;
  barScale: typeof barScale;
  percent: typeof percent;
  barText: typeof barText;
}

/**
 * Draw the explorer into `root`; its state goes to `root.dataset`: `options` (JSON of the
 * settings applied), `kept` (the candidates) and `mass` (their tempered probability).
 */
export function samplingClient(
  root: HTMLElement,
  data: SamplingViewData,
  { element, filteredDistribution, samplingState, barScale, percent, barText }: SamplingHelpers,
): void {
  const vocabulary = data.logits.length;
  const light = "#9ecae1";
  const dark = "#08519c";
  const track = 300;
  const muted = "color:#555";

  // The sliders: each with its value and how many candidates it would keep on its own.
  interface Slider {
    input: HTMLInputElement;
    value: HTMLElement;
    alone: HTMLElement;
  }
  const slider = (
    name: string,
    hint: string,
    range: { min: number; max: number; step: number; value: number },
  ): Slider => ({
    input: element("input", {
      type: "range",
      class: `course-${name.replace(/ /g, "-")}`,
      "aria-label": name,
      min: range.min,
      max: range.max,
      step: range.step,
      value: range.value,
      style: "width:220px;margin:0",
    }) as HTMLInputElement,
    value: element("span", {
      style: "font-family:ui-monospace,monospace;min-width:72px",
      title: hint,
    }),
    alone: element("span", { style: muted + ";font-size:12px" }),
  });
  const start = data.start;
  const sliders = {
    temperature: slider("temperature", "0: greedy, always the top token", {
      min: 0,
      max: 2,
      step: 0.01,
      value: start.temperature ?? 1,
    }),
    topK: slider("top k", `${vocabulary}: off, every token`, {
      min: 1,
      max: vocabulary,
      step: 1,
      value: start.topK ?? vocabulary,
    }),
    topP: slider("top p", "1: off", { min: 0.01, max: 1, step: 0.01, value: start.topP ?? 1 }),
    minP: slider("min p", "0: off", { min: 0, max: 0.5, step: 0.01, value: start.minP ?? 0 }),
  };
  const labels = { temperature: "temperature", topK: "top-k", topP: "top-p", minP: "min-p" };
  const controls = element(
    "div",
    {
      style: "display:grid;grid-template-columns:repeat(4,max-content);align-items:center;" +
        "column-gap:6px;row-gap:2px",
    },
    Object.entries(sliders).flatMap(([key, s]) => [
      element("span", {}, [labels[key as keyof typeof labels]]),
      s.input,
      s.value,
      s.alone,
    ]),
  );

  // The bars: the likeliest candidates, most likely first (the order of the logits, which
  // temperature does not change), built once and updated in place.
  const order = data.logits.map((_, i) => i).sort((a, b) => data.logits[b] - data.logits[a])
    .slice(0, data.shown);
  const rows = order.map((id) => {
    const before = element("div", {
      style: `position:absolute;left:0;top:1px;height:6px;background:${light}`,
    });
    const after = element("div", {
      style: `position:absolute;left:0;top:8px;height:7px;background:${dark}`,
    });
    const text = element("span", { style: "font-variant-numeric:tabular-nums" });
    const row = element("div", {
      class: "course-candidate",
      "data-token-id": id,
      style: "display:flex;align-items:center;height:18px",
    }, [
      element("span", {
        style: "width:56px;text-align:right;padding-right:8px;font-family:ui-monospace," +
          "monospace;white-space:pre;overflow:hidden",
        title: `token id ${id}`,
      }, [data.tokens[id]]),
      element("div", {
        style: `position:relative;width:${track}px;height:16px;flex:none;background:` +
          `repeating-linear-gradient(to right,#f2f2f2 0 ${track / 4 - 1}px,#d8d8d8 ` +
          `${track / 4 - 1}px ${track / 4}px)`,
      }, [before, after]),
      element("span", { style: "padding-left:8px;white-space:nowrap" }, [text]),
    ]);
    return { id, row, before, after, text };
  });
  const ticks = [0, 1, 2].map(() => element("span"));
  const summary = element("div", { class: "course-summary", style: "margin:8px 0 4px" });
  const call = element("div", {
    class: "course-settings",
    style: "font-family:ui-monospace,monospace;font-size:12px;color:#333;margin-bottom:6px",
  });
  const rest = element("div", { style: muted + ";margin-top:4px;font-size:12px" });
  const swatch = (colour: string) =>
    element("span", {
      style: `display:inline-block;width:14px;height:8px;background:${colour};margin:0 4px`,
    });
  root.style.width = "720px";
  root.style.maxWidth = "100%";
  root.append(
    element("div", { style: "font-weight:bold;font-size:15px;margin-bottom:4px" }, [data.title]),
    element("div", { style: "margin-bottom:6px" }, [
      "The next token after ",
      element("span", {
        style: "font-family:ui-monospace,monospace;white-space:pre;background:#f2f2f2;" +
          "padding:0 3px",
      }, [`“${data.prompt}”`]),
      `, from the model's ${vocabulary} scores.`,
    ]),
    controls,
    element("div", { style: muted + ";font-size:12px;margin:4px 0;max-width:640px" }, [
      "Temperature reshapes the distribution (0: greedy, always the top token); top-k, top-p " +
      "and min-p then cut its tail, a token staying only if every filter keeps it; what is " +
      "left is renormalised to 100 %.",
    ]),
    summary,
    call,
    element("div", { style: muted + ";font-size:12px;margin-bottom:4px" }, [
      swatch(light),
      "after temperature, before the filters",
      swatch(dark),
      "what the next token is drawn with",
    ]),
    element("div", { style: "display:flex;font-size:11px;color:#555" }, [
      element("span", { style: "width:56px" }),
      element("div", {
        style: `width:${track}px;display:flex;justify-content:space-between`,
      }, ticks),
    ]),
    ...rows.map((r) => r.row),
    rest,
  );

  function settings(): SamplingOptions {
    const options: SamplingOptions = { temperature: Number(sliders.temperature.input.value) };
    const topK = Number(sliders.topK.input.value);
    const topP = Number(sliders.topP.input.value);
    const minP = Number(sliders.minP.input.value);
    if (topK < vocabulary) options.topK = topK;
    if (topP < 1) options.topP = topP;
    if (minP > 0) options.minP = minP;
    return options;
  }

  function update(): void {
    const options = settings();
    const state = samplingState(data.logits, options, filteredDistribution);
    Object.assign(root.dataset, {
      options: JSON.stringify(options),
      kept: String(state.kept),
      mass: state.mass.toFixed(4),
    });
    const greedy = options.temperature === 0;
    const alone = (filter: SamplingOptions) => {
      if (greedy) return "ignored when greedy";
      const p = filteredDistribution(data.logits, { temperature: options.temperature, ...filter });
      return `keeps ${p.filter((x) => x > 0).length} alone`;
    };
    sliders.temperature.value.textContent = greedy ? "0 (greedy)" : options.temperature!.toFixed(2);
    sliders.temperature.alone.textContent = "";
    // Each filter: its value, or how it reads when off; and how many it would keep alone.
    const filters = [
      ["topK", "off", (v: number) => `${v}`],
      ["topP", "1 (off)", (v: number) => v.toFixed(2)],
      ["minP", "0 (off)", (v: number) => v.toFixed(2)],
    ] as const;
    for (const [key, off, shown] of filters) {
      const value = options[key];
      sliders[key].value.textContent = value === undefined ? off : shown(value);
      sliders[key].alone.textContent = value === undefined ? "" : alone({ [key]: value });
    }
    summary.replaceChildren(
      greedy
        ? element("b", {}, ["Greedy: the top token, always (1 candidate)."])
        : element("span", {}, [
          "Drawn from ",
          element("b", {}, [
            `${state.kept} candidate${state.kept === 1 ? "" : "s"} of ${vocabulary}`,
          ]),
          ", which held ",
          element("b", {}, [percent(state.mass)]),
          " of the tempered probability, renormalised to 100 %.",
        ]),
    );
    const shownOptions = Object.entries(options).map(([k, v]) => `${k}: ${v}`).join(", ");
    call.textContent = `nextTokenDistribution(logits, { ${shownOptions} })`;
    const scale = barScale(
      Math.max(...rows.map((r) => Math.max(state.tempered[r.id], state.final[r.id]))),
    );
    ticks.forEach((tick, i) => tick.textContent = `${i * scale * 50} %`);
    for (const r of rows) {
      const before = state.tempered[r.id];
      const after = state.final[r.id];
      r.row.dataset.p = after.toFixed(4);
      r.before.style.width = `${(before / scale * track).toFixed(1)}px`;
      r.after.style.width = `${(after / scale * track).toFixed(1)}px`;
      r.text.textContent = barText(before, after);
      r.row.style.color = after > 0 ? "#111" : "#999";
    }
    const hidden = vocabulary - rows.length;
    if (hidden > 0) {
      let mass = 0;
      let kept = 0;
      const shown = new Set(order);
      for (let id = 0; id < vocabulary; id++) {
        if (shown.has(id)) continue;
        mass += state.tempered[id];
        if (state.final[id] > 0) kept++;
      }
      rest.textContent = `The other ${hidden} tokens (not shown) hold ${percent(mass)} after ` +
        `temperature; ${kept} of them kept.`;
    } else rest.textContent = "";
  }

  for (const s of Object.values(sliders)) s.input.addEventListener("input", update);
  update();
}
