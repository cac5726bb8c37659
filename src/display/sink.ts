/**
 * Where displays go: the Jupyter kernel when there is one, the console otherwise.
 *
 * `Deno.jupyter` exists only inside the Deno kernel, so it is looked up when something is
 * displayed, never at import time: `src/` loads the same under `deno test`.
 *
 * @module
 */
import type { MediaBundle } from "./bundle.ts";

/** Options of one display message. */
export interface SinkOptions {
  /** An id that later updates refer to (Jupyter's `display_id`). */
  displayId?: string;
  /** Replace the display with this id instead of adding a new output. */
  update?: boolean;
}

/** Something that can show a media bundle. */
export interface DisplaySink {
  /** Show `bundle`; resolves when it has been handed on. */
  display(bundle: MediaBundle, options?: SinkOptions): Promise<void>;
}

interface KernelDisplay {
  display(
    obj: unknown,
    options?: { raw?: boolean; update?: boolean; display_id?: string },
  ): Promise<void>;
}

/** The Deno kernel's display function, or undefined outside the kernel. */
function kernelDisplay(): KernelDisplay | undefined {
  try {
    // Outside `deno jupyter`, reading Deno.jupyter throws ("only available in deno jupyter").
    const jupyter = (globalThis as { Deno?: { jupyter?: KernelDisplay } }).Deno?.jupyter;
    return typeof jupyter?.display === "function" ? jupyter : undefined;
  } catch {
    return undefined;
  }
}

/** Sends bundles to the notebook through `Deno.jupyter.display`. */
class KernelSink implements DisplaySink {
  constructor(private readonly kernel: KernelDisplay) {}
  display(bundle: MediaBundle, options: SinkOptions = {}): Promise<void> {
    return this.kernel.display(bundle, {
      raw: true,
      ...(options.displayId !== undefined ? { display_id: options.displayId } : {}),
      ...(options.update ? { update: true } : {}),
    });
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
