/**
 * The course as a learner meets it in JupyterLab, in a real browser (Debian's Chromium, driven by
 * playwright-core):
 * - every committed chart of every lesson shows as an image when the notebook is opened, before
 *   anything is run and without trusting the notebook (JupyterLab shows a chart's SVG only in a
 *   trusted notebook; its PNG copy, `src/display/raster.ts`, always);
 * - a cell run in the Deno kernel shows a fresh chart, and a live display updates in place.
 *
 * Nothing is trusted: the server keeps notebook signatures in memory only. The lessons are opened
 * from copies, so the browser cannot change the committed notebooks. Set COURSE_SCREENSHOTS to a
 * folder to keep a picture of every chart as the browser drew it.
 */
import { basename, join } from "node:path";
import type { Page } from "playwright-core";
import { assert, assertEquals } from "../assert.ts";
import { capture, denoNotebook, notebooks } from "../../tools/jupyter.ts";
import { INSTALL, launchChromium } from "./chromium.ts";
import { outputsOf, viewsOf } from "./notebook_outputs.ts";
const MOD = new URL("../../src/mod.ts", import.meta.url).href;

/** The width of each chart's PNG copy in a notebook file, in order (from the PNG's header). */
function chartWidths(path: string): number[] {
  return outputsOf(path).flatMap((out) => {
    const png = out.data?.["image/png"];
    if (png === undefined) return [];
    const bytes = Uint8Array.from(atob([png].flat().join("").slice(0, 32)), (c) => c.charCodeAt(0));
    return [new DataView(bytes.buffer).getUint32(16)];
  });
}

/**
 * A notebook of three cells for the kernel: a chart, a live display updated five times, and an
 * interactive view (an attention explorer of two tokens).
 */
function liveNotebook(): string {
  const cells = [
    `import * as Plot from "@observablehq/plot";\n` +
    `import { attentionExplorer, LiveDisplay, plot, show } from "${MOD}";\n` +
    `await show(plot({ title: "A fresh chart", marks: [Plot.lineY([3, 2, 1.5, 1.2])] }));`,
    `const live = new LiveDisplay();\nfor (let i = 1; i <= 5; i++) {\n` +
    `  await live.update(\`update \${i} of 5\`);\n  await new Promise((r) => setTimeout(r, 200));\n}`,
    `await show(await attentionExplorer(\n` +
    `  [{ name: "toy", weights: [[1, 0], [0.25, 0.75]], queries: ["a", "b"] }],\n` +
    `  { title: "A fresh view", start: { query: 0 } },\n));`,
  ];
  return denoNotebook(cells);
}

/** A free TCP port on this machine. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** JupyterLab serving `dir`, nothing trusted, every cell kept in the page (no windowing). */
async function startLab(dir: string) {
  const port = freePort();
  const token = crypto.randomUUID();
  const settings = join(dir, ".settings", "@jupyterlab", "notebook-extension");
  await Deno.mkdir(settings, { recursive: true });
  await Deno.writeTextFile(
    join(settings, "tracker.jupyterlab-settings"),
    JSON.stringify({ windowingMode: "none" }),
  );
  const log = join(dir, ".lab.log");
  const args = [
    "lab",
    "--no-browser",
    `--port=${port}`,
    "--ip=127.0.0.1",
    `--ServerApp.token=${token}`,
    `--ServerApp.root_dir=${dir}`,
    "--NotebookNotary.db_file=:memory:",
    "--LabApp.expose_app_in_browser=True",
    ...(Deno.uid() === 0 ? ["--allow-root"] : []),
  ];
  const server = new Deno.Command("sh", {
    args: ["-c", `exec jupyter "$@" >"${log}" 2>&1`, "sh", ...args],
    env: {
      JUPYTERLAB_SETTINGS_DIR: join(dir, ".settings"),
      JUPYTERLAB_WORKSPACES_DIR: join(dir, ".workspaces"),
    },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    const ok = await fetch(`${base}/api/status?token=${token}`).then((r) => {
      void r.body?.cancel();
      return r.ok;
    }, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      server.kill();
      await server.status;
      throw new Error(`JupyterLab did not start in 90 s:\n${await Deno.readTextFile(log)}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    url: (path: string) => `${base}/lab/tree/${path}?reset&token=${token}`,
    log: () => Deno.readTextFile(log),
    /** Shut down every kernel the server runs (opening a notebook starts one). */
    async shutdownKernels() {
      const api = (path: string, method = "GET") =>
        fetch(`${base}/api/${path}?token=${token}`, { method });
      const sessions = await (await api("sessions")).json() as { id: string }[];
      for (const { id } of sessions) await (await api(`sessions/${id}`, "DELETE")).body?.cancel();
    },
    async stop() {
      server.kill("SIGTERM");
      await server.status;
    },
  };
}

/** Open a notebook in a fresh page and wait until its cells are on it. */
async function open(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForSelector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell", {
    timeout: 60_000,
  });
}

Deno.test({
  name:
    "JupyterLab in Chromium: every committed chart and view picture shows before trust; a run cell draws live",
  // playwright keeps timers and sockets of its own between steps.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const lab = await capture("jupyter", ["lab", "--version"]);
    assert(lab?.code === 0, `JupyterLab was not found. ${INSTALL}`);
    const kernels = await capture("jupyter", ["kernelspec", "list"]);
    assert(
      /^\s*deno\s/m.test(kernels?.stdout ?? ""),
      `The Deno kernel is not installed. ${INSTALL}`,
    );

    // Inside the repository, so that the kernel finds deno.json (the import map) from its folder.
    const dir = await Deno.makeTempDir({
      dir: new URL(".", import.meta.url).pathname,
      prefix: ".lab-",
    });
    const shots = Deno.env.get("COURSE_SCREENSHOTS");
    if (shots !== undefined) await Deno.mkdir(shots, { recursive: true });
    const server = await startLab(dir);
    const browser = await launchChromium();
    try {
      for (const notebook of await notebooks()) {
        const name = basename(notebook);
        await Deno.copyFile(notebook, join(dir, name));
        await t.step(
          `${name}: its charts show as images, untrusted, before anything runs`,
          async () => {
            const widths = chartWidths(notebook);
            const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
            try {
              await open(page, server.url(name));
              const panel = ".jp-NotebookPanel:not(.lm-mod-hidden)";
              await page.waitForFunction(
                ([selector, n]) => {
                  const images = [
                    ...document.querySelectorAll(`${selector} .jp-RenderedImage img`),
                  ];
                  return images.length >= Number(n) &&
                    images.every((img) => (img as HTMLImageElement).naturalWidth > 0);
                },
                [panel, widths.length],
                { timeout: 60_000 },
              );
              // Each interactive view shows its picture: the notebook is not trusted, so
              // JupyterLab has stripped its script, and no live view has been drawn.
              const views = viewsOf(notebook).length;
              await page.waitForFunction(
                ([selector, n]) => {
                  const pictures = [
                    ...document.querySelectorAll(`${selector} img.course-view-picture`),
                  ];
                  return pictures.length === Number(n) &&
                    pictures.every((img) => (img as HTMLImageElement).naturalWidth > 0);
                },
                [panel, views],
                { timeout: 60_000 },
              );
              assertEquals(
                await page.locator(`${panel} .course-view-live`).count(),
                0,
                `${name}: a view's script ran in an untrusted notebook`,
              );
              const seen = await page.evaluate((selector) => ({
                widths: [...document.querySelectorAll(`${selector} .jp-RenderedImage img`)]
                  .map((img) => (img as HTMLImageElement).naturalWidth),
                textInstead: [...document.querySelectorAll(`${selector} .jp-RenderedText`)]
                  .map((el) => el.textContent ?? "").filter((text) => text.startsWith("[plot")),
              }), panel);
              assertEquals(
                seen.textInstead,
                [],
                `${name}: charts shown as their text line instead of an image`,
              );
              assertEquals(
                seen.widths,
                widths,
                `${name}: the images drawn are not the charts saved`,
              );
              if (shots !== undefined) {
                const pictures = await page.$$(
                  `${panel} .jp-OutputArea-output:has(img.course-view-picture)`,
                );
                for (const [i, picture] of pictures.entries()) {
                  await picture.screenshot({
                    path: join(shots, `${basename(name, ".ipynb")}_view${i + 1}_untrusted.png`),
                  });
                }
                const images = await page.$$(`${panel} .jp-RenderedImage img`);
                for (const [i, image] of images.entries()) {
                  await image.screenshot({
                    path: join(shots, `${basename(name, ".ipynb")}_${i + 1}.png`),
                  });
                }
              }
            } finally {
              await page.close();
              await server.shutdownKernels(); // opening the lesson started its kernel
            }
          },
        );
      }

      await t.step(
        "a cell run in the Deno kernel shows its chart; a live display updates in place",
        async () => {
          await Deno.writeTextFile(join(dir, "live.ipynb"), liveNotebook());
          const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
          try {
            await open(page, server.url("live.ipynb"));
            // Wait for the kernel, then run every cell as the Run menu would.
            await page.waitForFunction(
              () => {
                const app = (globalThis as { jupyterapp?: { shell: { currentWidget?: unknown } } })
                  .jupyterapp;
                const widget = app?.shell.currentWidget as
                  | { sessionContext?: { session?: { kernel?: { status: string } } } }
                  | undefined;
                return widget?.sessionContext?.session?.kernel?.status === "idle";
              },
              undefined,
              { timeout: 120_000 },
            );
            await page.evaluate(() =>
              (globalThis as unknown as {
                jupyterapp: { commands: { execute(id: string): Promise<unknown> } };
              }).jupyterapp.commands.execute("notebook:run-all-cells")
            );
            const cells = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell";
            // What the two cells show: the chart cell's image (its kind, whether it has loaded,
            // the SVG it draws), and the live cell's outputs.
            const seen = () =>
              page.evaluate((selector) => {
                const [chart, live] = [...document.querySelectorAll(selector)];
                const image = chart?.querySelector(".jp-OutputArea-output img") as
                  | HTMLImageElement
                  | null;
                return {
                  kind: image?.closest("[data-mime-type]")?.getAttribute("data-mime-type") ?? "",
                  loaded: (image?.naturalWidth ?? 0) > 0,
                  drawn: decodeURIComponent(image?.src ?? ""),
                  live: [...(live?.querySelectorAll(".jp-OutputArea-output") ?? [])]
                    .map((o) => (o.textContent ?? "").trim()),
                };
              }, cells);
            const deadline = Date.now() + 120_000;
            let shown = await seen();
            while (!(shown.loaded && shown.live.includes("update 5 of 5"))) {
              if (Date.now() > deadline) {
                throw new Error(`the cells did not finish in 120 s: ${JSON.stringify(shown)}`);
              }
              await new Promise((r) => setTimeout(r, 500));
              shown = await seen();
            }
            // A fresh output is trusted: the chart shows as its SVG.
            assertEquals(shown.kind, "image/svg+xml", "the fresh chart is not shown as SVG");
            assert(shown.drawn.includes("A fresh chart"), "the fresh chart lacks its title");
            assertEquals(shown.live, ["update 5 of 5"], "the live display did not update in place");
            // The fresh view is trusted: its script has drawn the live view, which follows the
            // mouse from the first query's row of weights to the second's.
            const view = page.locator(`${cells} .course-view-live`);
            await view.waitFor({ timeout: 60_000 });
            const keys = () =>
              view.locator(".course-key").evaluateAll((els) =>
                els.map((el) => el.getAttribute("data-weight"))
              );
            assertEquals(await keys(), ["1.000", "0.000"], "the view's first state");
            await view.locator('.course-query[data-index="1"]').hover();
            assertEquals(await keys(), ["0.250", "0.750"], "the view did not follow the mouse");
            if (shots !== undefined) await view.screenshot({ path: join(shots, "live_view.png") });
            if (shots !== undefined) await page.screenshot({ path: join(shots, "live.png") });
          } finally {
            await page.close();
          }
        },
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- JupyterLab's log:\n${await server.log()}`);
    } finally {
      await browser.close();
      await server.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
