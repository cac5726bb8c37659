/**
 * A display that updates in place: the first {@link LiveDisplay.update} adds an output, every
 * later one replaces it (Jupyter's `display_id` and `update_display_data`). Progress bars and
 * live loss curves are built on it.
 *
 * @module
 */
import { type DisplaySink, displaySink } from "./sink.ts";
import { toBundle } from "./show.ts";

/** One output area that is replaced on every update. */
export class LiveDisplay {
  /** The Jupyter display id (unique per live display). */
  readonly id: string = crypto.randomUUID();
  #shown = false;

  /** @param sink where to send it; default the current sink (the kernel, or the console). */
  constructor(private readonly sink?: DisplaySink) {}

  /**
   * Show `value` (anything `show()` accepts) in this display's place; `draft` when a later update
   * will replace it (see `SinkOptions.draft`).
   */
  async update(value: unknown, { draft = false }: { draft?: boolean } = {}): Promise<void> {
    const sink = this.sink ?? displaySink();
    const update = this.#shown;
    this.#shown = true; // before awaiting: an update started meanwhile must not add a second output
    const bundle = toBundle(value);
    await sink.display(bundle, { displayId: this.id, update, draft });
    await sink.delivered?.([bundle]);
  }
}

/** Decides when a frequently called update is worth sending (at most every `intervalMs`). */
export class Throttle {
  #last = -Infinity;
  /** @param intervalMs least time between two sends */
  constructor(readonly intervalMs: number) {}
  /** True (and restarts the interval) when `intervalMs` has passed since the last true. */
  due(now: number = performance.now()): boolean {
    if (now - this.#last < this.intervalMs) return false;
    this.#last = now;
    return true;
  }
}
