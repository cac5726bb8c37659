/**
 * A loss curve that redraws itself while a model trains: one line per series (train,
 * validation), a dot at each point of every series but train (measured seldom, so one point may
 * be all there is), with the latest values and the progress in the subtitle.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { DISPLAY, type Displayable, type MediaBundle } from "./bundle.ts";
import { LiveDisplay, Throttle } from "./live.ts";
import { plot } from "./plot.ts";
import type { DisplaySink } from "./sink.ts";
import type { SvgView } from "./svg.ts";

/** Options of {@link LiveLossCurve}. */
export interface LossCurveOptions {
  /** Title of the chart (default "Loss"). */
  title?: string;
  /** Steps planned in all: fixes the x axis and shows progress. */
  totalSteps?: number;
  /** Least time between two redraws (default 1000 ms); `finish()` always draws. */
  intervalMs?: number;
  /** Label of the y axis (default "loss"). */
  yLabel?: string;
  /** Where to draw; default the current sink. */
  sink?: DisplaySink;
}

/** The training loss's series: reported often, so drawn as a line only; the others get dots too. */
const TRAIN_SERIES = "train";

/** One recorded value. */
export interface LossPoint {
  /** Training step. */
  step: number;
  /** Series name, e.g. "train" or "val". */
  series: string;
  /** The value. */
  value: number;
}

/**
 * A live loss curve.
 *
 * @example
 * const curve = new LiveLossCurve({ totalSteps: 2000 });
 * for (let step = 0; step < 2000; step++) {
 *   const loss = trainStep();
 *   await curve.add(step, { train: loss });
 * }
 * await curve.finish();
 */
export class LiveLossCurve implements Displayable {
  /** Everything recorded, in order. */
  readonly points: LossPoint[] = [];
  readonly #live: LiveDisplay;
  readonly #throttle: Throttle;
  readonly #started = performance.now();

  constructor(readonly options: LossCurveOptions = {}) {
    this.#live = new LiveDisplay(options.sink);
    this.#throttle = new Throttle(options.intervalMs ?? 1000);
  }

  /** Record the values of one step (e.g. `{ train: 2.1, val: 2.3 }`) and redraw if it is time. */
  async add(step: number, values: Record<string, number>): Promise<void> {
    for (const [series, value] of Object.entries(values)) {
      if (!Number.isFinite(value)) {
        throw new RangeError(
          `loss curve: ${series} at step ${step} is ${value}, expected a finite number`,
        );
      }
      this.points.push({ step, series, value });
    }
    if (this.#throttle.due()) await this.#live.update(this, { draft: true });
  }

  /** Draw the final curve. */
  async finish(): Promise<void> {
    await this.#live.update(this);
  }

  /** The latest value of each series. */
  latest(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const p of this.points) out[p.series] = p.value;
    return out;
  }

  /** One line of progress: `step 120/2000 · train 2.310 · val 2.402 · 12.0 s · 3.1 min left`. */
  summary(): string {
    const last = this.points.at(-1)?.step;
    const total = this.options.totalSteps;
    const step = last === undefined
      ? "no steps yet"
      : `step ${last + 1}${total ? `/${total}` : ""}`;
    const values = Object.entries(this.latest()).map(([k, v]) => `${k} ${v.toFixed(3)}`);
    const elapsed = (performance.now() - this.#started) / 1000;
    const parts = [step, ...values, `${elapsed.toFixed(1)} s`];
    if (total && last !== undefined && last + 1 < total) {
      const left = (elapsed * (total - last - 1)) / (last + 1);
      parts.push(left >= 90 ? `${(left / 60).toFixed(1)} min left` : `${left.toFixed(0)} s left`);
    }
    return parts.join(" · ");
  }

  /** The chart as it is now. */
  chart(): SvgView {
    const total = this.options.totalSteps;
    return plot({
      title: this.options.title ?? "Loss",
      subtitle: this.summary(),
      width: 640,
      height: 300,
      x: { label: "step", ...(total ? { domain: [0, total] } : {}) },
      y: { label: this.options.yLabel ?? "loss", grid: true },
      color: { legend: true },
      marks: [
        Plot.line(this.points, { x: "step", y: "value", stroke: "series", z: "series" }),
        // A dot at each point of the seldom-measured series (all but train): one point alone
        // draws no line, so a first validation loss would not show.
        Plot.dot(this.points.filter((p) => p.series !== TRAIN_SERIES), {
          x: "step",
          y: "value",
          fill: "series",
          r: 3,
        }),
      ],
    });
  }

  /** The bundle: the chart, with the summary as text. */
  [DISPLAY](): MediaBundle {
    return { ...this.chart()[DISPLAY](), "text/plain": this.summary() };
  }
}
