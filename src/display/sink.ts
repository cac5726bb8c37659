/**
 * Where displays go: the Jupyter kernel when there is one, the console otherwise.
 *
 * `Deno.jupyter` exists only inside the Deno kernel, so it is looked up when something is
 * displayed, never at import time: `src/` loads the same under `deno test`.
 *
 * @module
 */
import type { MediaBundle } from "./bundle.ts";
import { confirmDelivered, connectionInfo, DeliveryTimeout } from "./delivery.ts";
import { withPngCopy } from "./raster.ts";

/** Options of one display message. */
export interface SinkOptions {
  /** An id that later updates refer to (Jupyter's `display_id`). */
  displayId?: string;
  /** Replace the display with this id instead of adding a new output. */
  update?: boolean;
  /**
   * A passing state that a later update replaces (a live chart mid-training): sent without the
   * PNG copy of a chart ({@link withPngCopy}), which only the state a notebook is saved with needs.
   */
  draft?: boolean;
}

/** Something that can show a media bundle. */
export interface DisplaySink {
  /** Show `bundle`; resolves when it has been handed on. */
  display(bundle: MediaBundle, options?: SinkOptions): Promise<void>;
  /**
   * Resolve once every bundle displayed so far has left for the front end (`bundles`, the last
   * ones, size a fallback wait); sinks that hand bundles straight on need not have it.
   */
  delivered?(bundles: readonly MediaBundle[]): Promise<void>;
}

interface KernelDisplay {
  display(
    obj: unknown,
    options?: { raw?: boolean; update?: boolean; display_id?: string },
  ): Promise<void>;
  broadcast(type: string, content: Record<string, unknown>): unknown;
}

/** The Deno kernel's display function, or undefined outside the kernel. */
function kernelDisplay(): KernelDisplay | undefined {
  try {
    // Outside `deno jupyter`, reading Deno.jupyter throws ("only available in deno jupyter").
    const jupyter = (globalThis as { Deno?: { jupyter?: KernelDisplay } }).Deno?.jupyter;
    return typeof jupyter?.display === "function" && typeof jupyter.broadcast === "function"
      ? jupyter
      : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the kernel could not be asked (not just slow to answer): then it is not asked again. */
let unconfirmable = false;

/** Sends bundles to the notebook through `Deno.jupyter.display`. */
class KernelSink implements DisplaySink {
  constructor(private readonly kernel: KernelDisplay) {}

  /**
   * Wait for the kernel to confirm that its queued messages are sent (`delivery.ts`); where it
   * cannot be asked (no connection file to be found, no answer to the handshake), or is slow to
   * answer, wait as {@link settle} says instead.
   */
  async delivered(bundles: readonly MediaBundle[]): Promise<void> {
    const info = unconfirmable ? undefined : connectionInfo();
    if (info !== undefined) {
      try {
        return await confirmDelivered(this.kernel, info);
      } catch (error) {
        if (!(error instanceof DeliveryTimeout)) unconfirmable = true;
      }
    }
    await settle(bundles);
  }

  /** Send `bundle`, a chart with its PNG copy unless it is a draft. */
  async display(bundle: MediaBundle, options: SinkOptions = {}): Promise<void> {
    const sent = options.draft ? bundle : await pngCopyOrWarn(bundle);
    return await this.kernel.display(sent, {
      raw: true,
      ...(options.displayId !== undefined ? { display_id: options.displayId } : {}),
      ...(options.update ? { update: true } : {}),
    });
  }
}

/** `bundle` with its PNG copy; if the chart cannot be drawn, as it is, with a warning. */
async function pngCopyOrWarn(bundle: MediaBundle): Promise<MediaBundle> {
  try {
    return await withPngCopy(bundle);
  } catch (error) {
    console.warn(
      `This chart is shown without its PNG copy (an untrusted notebook will show its text ` +
        `line instead): ${error instanceof Error ? error.message : String(error)}`,
    );
    return bundle;
  }
}

/** Prints the `text/plain` part of each bundle (scripts, tests, a plain `deno run`). */
export const consoleSink: DisplaySink = {
  display(bundle: MediaBundle): Promise<void> {
    console.log(bundle["text/plain"] ?? `[${Object.keys(bundle).join(", ")}]`);
    return Promise.resolve();
  },
};

let chosen: DisplaySink | undefined;

/**
 * Send displays to `sink` from now on (tests record them this way); `undefined` restores the
 * default (the kernel if present, else the console).
 */
export function setDisplaySink(sink: DisplaySink | undefined): void {
  chosen = sink;
}

/** The sink displays go to now. */
export function displaySink(): DisplaySink {
  if (chosen !== undefined) return chosen;
  const kernel = kernelDisplay();
  return kernel !== undefined ? new KernelSink(kernel) : consoleSink;
}

/**
 * Wait until displayed bundles have most likely been sent, where the kernel cannot confirm it:
 * 10 ms, plus 1 ms per 10 kB, at most 0.5 s.
 */
export function settle(bundles: readonly MediaBundle[]): Promise<void> {
  const bytes = bundles.reduce((n, b) => n + Object.values(b).reduce((m, v) => m + v.length, 0), 0);
  return new Promise((resolve) => setTimeout(resolve, Math.min(500, 10 + bytes / 10_000)));
}
