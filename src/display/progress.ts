/**
 * A progress bar for long work (training a tokenizer, evaluating a model) that redraws itself
 * in place.
 *
 * @module
 */
import { DISPLAY, type Displayable, escapeXml, type MediaBundle } from "./bundle.ts";
import { LiveDisplay, Throttle } from "./live.ts";
import type { DisplaySink } from "./sink.ts";

/** Options of {@link ProgressBar}. */
export interface ProgressOptions {
  /** What is being done, shown before the bar. */
  label?: string;
  /** Least time between two redraws (default 250 ms); the last one is always drawn. */
  intervalMs?: number;
  /** Where to draw; default the current sink. */
  sink?: DisplaySink;
}

const BAR_WIDTH = 30;

/**
 * A live progress bar: `label ██████░░░░ 60/100 · 1.2 s · 0.8 s left · info`.
 *
 * @example
 * const bar = new ProgressBar(steps, { label: "training" });
 * for (let i = 0; i < steps; i++) { work(); await bar.advance(1, `loss ${loss}`); }
 * await bar.finish();
 */
export class ProgressBar implements Displayable {
  /** Units of work done so far. */
  done = 0;
  /** The latest note (e.g. the current loss). */
  info = "";
  readonly #live: LiveDisplay;
  readonly #throttle: Throttle;
  readonly #started = performance.now();
  #finished = false;

  /** @param total units of work in all (> 0) */
  constructor(readonly total: number, readonly options: ProgressOptions = {}) {
    if (!(total > 0)) throw new RangeError(`ProgressBar total must be > 0, got ${total}`);
    this.#live = new LiveDisplay(options.sink);
    this.#throttle = new Throttle(options.intervalMs ?? 250);
  }

  /** Count `n` more units done, note `info`, and redraw if it is time. */
  async advance(n = 1, info?: string): Promise<void> {
    this.done = Math.min(this.total, this.done + n);
    if (info !== undefined) this.info = info;
    if (this.done === this.total || this.#throttle.due()) await this.#live.update(this);
  }

  /** Draw the final state (also when stopped early), with the total time. */
  async finish(info?: string): Promise<void> {
    if (info !== undefined) this.info = info;
    this.#finished = true;
    await this.#live.update(this);
  }

  /** Seconds since the bar was made. */
  elapsed(): number {
    return (performance.now() - this.#started) / 1000;
  }

  /** The bar as one line of text. */
  text(): string {
    const filled = Math.round((BAR_WIDTH * this.done) / this.total);
    const bar = "█".repeat(filled) + "░".repeat(BAR_WIDTH - filled);
    const elapsed = this.elapsed();
    const parts = [`${this.done}/${this.total}`, `${elapsed.toFixed(1)} s`];
    if (!this.#finished && this.done > 0 && this.done < this.total) {
      parts.push(`${((elapsed * (this.total - this.done)) / this.done).toFixed(1)} s left`);
    }
    if (this.info !== "") parts.push(this.info);
    return `${this.options.label ? `${this.options.label} ` : ""}${bar} ${parts.join(" · ")}`;
  }

  /** The bundle: text, and HTML with a native progress element. */
  [DISPLAY](): MediaBundle {
    const text = this.text();
    return {
      "text/plain": text,
      "text/html": `<progress value="${this.done}" max="${this.total}"></progress> ` +
        `<code>${escapeXml(text.replace(/[█░]+ /, ""))}</code>`,
    };
  }
}
