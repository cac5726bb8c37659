/**
 * The interactive views of the committed lessons (`src/display/interactive.ts`), in a real
 * browser (Debian's Chromium, driven by playwright-core). Each lesson's views are put on one
 * page, as an HTML export of the notebook shows them, and for each view:
 * - with scripts off, its picture shows (what an untrusted notebook, or a viewer that runs no
 *   script, shows);
 * - with scripts on, the live view replaces the picture with no console error, and it reacts to
 *   the mouse and its controls with the numbers its data holds (the sampling explorer: the
 *   distribution that `nextTokenDistribution` gives for the settings it shows, at every slider
 *   position tried).
 *
 * The test also checks that each lesson holds the views it should. Set COURSE_SCREENSHOTS to a
 * folder to keep a picture of every live view.
 *
 * @module
 */
import { basename, join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { assert, assertEquals } from "../assert.ts";
import { notebooks } from "../../tools/jupyter.ts";
import { nextTokenDistribution, type SamplingOptions } from "../../src/mod.ts";
import { launchChromium } from "./chromium.ts";
import { viewsOf } from "./notebook_outputs.ts";

/** The views each lesson shows, in order (lessons not named here show none). */
const EXPECTED: Record<string, string[]> = {
  "02_embeddings_and_positions.ipynb": ["positions explorer"],
  "03_attention.ipynb": ["attention explorer"],
  "04_multi_head_attention.ipynb": ["attention explorer"],
  "07_training.ipynb": ["attention explorer"],
  "08_generation.ipynb": ["sampling explorer"],
  "09_encoder_decoder.ipynb": ["attention explorer"],
  "10_encoder_only.ipynb": ["attention explorer"],
  "13_fine_tuning.ipynb": ["attention explorer"],
};

/** A page holding the views, one after the other. */
function page(views: string[]): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>views</title></head><body>` +
    views.map((html) => `<div class="output">${html}</div>`).join("") + `</body></html>`;
}

/** The data a view ships (its JSON). */
function dataOf(view: Locator): Promise<unknown> {
  return view.locator(".course-view-data").evaluate((el) => JSON.parse(el.textContent ?? ""));
}

interface AttentionData {
  maps: { name: string; queries: string[]; keys: string[]; heads: number[][][] }[];
  start: { map: number; head: number; query: number };
}

/**
 * The attention explorer: in every attention, each query hovered shows its row of weights on the
 * keys, head by head; "all" shows every head.
 */
async function exploreAttention(view: Locator, label: string): Promise<void> {
  const data = await dataOf(view) as AttentionData;
  const live = view.locator(".course-view-live");
  const keyWeights = () =>
    live.locator(".course-keys").evaluateAll((strips) =>
      strips.map((strip) =>
        [...strip.querySelectorAll(".course-key")].map((key) => key.getAttribute("data-weight"))
      )
    );
  const expected = (map: number, heads: number[], query: number) =>
    heads.map((h) => data.maps[map].heads[h][query].map((w) => (w / 1000).toFixed(3)));
  const start = data.start;
  const startHeads = start.head < 0 ? data.maps[start.map].heads.map((_, h) => h) : [start.head];
  assertEquals(
    await keyWeights(),
    expected(start.map, startHeads, start.query),
    `${label}: the first state`,
  );
  for (const [m, map] of data.maps.entries()) {
    await live.locator("select.course-map").selectOption({ value: String(m) });
    await live.locator("select.course-head").selectOption({
      value: map.heads.length > 1 ? "-1" : "0",
    });
    const heads = map.heads.map((_, h) => h).slice(0, map.heads.length > 1 ? undefined : 1);
    const queries = live.locator(".course-query");
    assertEquals(await queries.count(), map.queries.length, `${label}, ${map.name}: the queries`);
    const rows = [...new Set([0, Math.floor(map.queries.length / 2), map.queries.length - 1])];
    for (const q of rows) {
      await queries.nth(q).hover();
      assertEquals(
        await keyWeights(),
        expected(m, heads, q),
        `${label}, ${map.name}: query ${q} hovered`,
      );
      assertEquals(await live.getAttribute("data-query"), String(q));
    }
    // One head at a time too: the second head alone shows its own row.
    if (map.heads.length > 1) {
      await live.locator("select.course-head").selectOption({ value: "1" });
      assertEquals(await keyWeights(), expected(m, [1], rows.at(-1)!), `${label}: head 2 alone`);
    }
  }
}

/** Move a range input to `value`, as a drag would leave it (its "input" event fires). */
function slide(input: Locator, value: number): Promise<void> {
  return input.evaluate((el, v) => {
    (el as HTMLInputElement).value = String(v);
    el.dispatchEvent(new Event("input", { bubbles: true }));
  }, value);
}

/** A value `share` of the way from a range input's minimum to its maximum, on its step. */
async function along(input: Locator, share: number): Promise<number> {
  const [min, max, step] = await input.evaluate((el) => {
    const range = el as HTMLInputElement;
    return [Number(range.min), Number(range.max), Number(range.step) || 1];
  });
  return min + Math.round((share * (max - min)) / step) * step;
}

interface SamplingData {
  logits: number[];
  start: SamplingOptions;
}

/**
 * The sampling explorer: for each setting of its sliders, the distribution it draws is the one
 * `nextTokenDistribution` gives for the settings it says it applies, with the kept count and mass.
 */
async function exploreSampling(view: Locator, label: string): Promise<void> {
  const data = await dataOf(view) as SamplingData;
  const live = view.locator(".course-view-live");
  const check = async (what: string) => {
    const options = JSON.parse(await live.getAttribute("data-options") ?? "") as SamplingOptions;
    const expected = nextTokenDistribution(data.logits, options);
    const tempered = nextTokenDistribution(data.logits, { temperature: options.temperature });
    const bars = await live.locator(".course-candidate").evaluateAll((els) =>
      els.map((el) => ({
        id: Number(el.getAttribute("data-token-id")),
        p: el.getAttribute("data-p"),
      }))
    );
    assert(bars.length > 0, `${label}, ${what}: no candidates drawn`);
    for (const bar of bars) {
      assertEquals(bar.p, expected[bar.id].toFixed(4), `${label}, ${what}: token ${bar.id}`);
    }
    const kept = [...expected.keys()].filter((i) => expected[i] > 0);
    assertEquals(await live.getAttribute("data-kept"), String(kept.length), `${label}, ${what}`);
    const mass = kept.reduce((sum, i) => sum + tempered[i], 0);
    assertEquals(await live.getAttribute("data-mass"), mass.toFixed(4), `${label}, ${what}: mass`);
    assert(
      kept.every((i) => bars.some((bar) => bar.id === i)) || bars.length >= 30,
      `${label}, ${what}: a kept candidate is not drawn`,
    );
    return options;
  };
  assertEquals(await check("the first state"), data.start, `${label}: the first settings`);
  const sliders = ["temperature", "top-k", "top-p", "min-p"];
  for (const [n, name] of sliders.entries()) {
    const input = live.locator(`input.course-${name}`);
    for (const share of [0, 0.3, 0.7]) {
      await slide(input, await along(input, share));
      await check(`${name} at ${Math.round(share * 100)} % of its range (step ${n + 1})`);
    }
  }
  // Temperature 0 is greedy decoding: one candidate, all the probability.
  await slide(live.locator("input.course-temperature"), 0);
  assertEquals(JSON.parse(await live.getAttribute("data-options") ?? "").temperature, 0);
  await check("greedy");
  assertEquals(await live.getAttribute("data-kept"), "1", `${label}: greedy keeps one`);
}

interface PositionsData {
  vectors: number[][];
  dots: number[][];
  start: number;
}

/** The positions explorer: each position picked shows its vector and its dot products. */
async function explorePositions(view: Locator, label: string): Promise<void> {
  const data = await dataOf(view) as PositionsData;
  const live = view.locator(".course-view-live");
  const shown = async (what: string) =>
    await live.locator(what).evaluateAll((els) =>
      els.map((el) => Number(el.getAttribute("data-value")))
    );
  const T = data.vectors.length;
  for (const p of [data.start, 0, Math.floor(T / 3), T - 1]) {
    if (p !== data.start) await slide(live.locator("input.course-position"), p);
    assertEquals(await live.getAttribute("data-position"), String(p), `${label}: position`);
    assertEquals(await shown(".course-component"), data.vectors[p], `${label}: PE(${p})`);
    assertEquals(await shown(".course-dot"), data.dots[p], `${label}: PE(${p}) · PE(q)`);
  }
}

const EXPLORE: Record<string, (view: Locator, label: string) => Promise<void>> = {
  "attention explorer": exploreAttention,
  "sampling explorer": exploreSampling,
  "positions explorer": explorePositions,
};

/** Open `html` in a fresh page; console errors and uncaught exceptions are collected. */
async function open(browser: Browser, html: string, scripts: boolean) {
  const context = await browser.newContext({
    javaScriptEnabled: scripts,
    viewport: { width: 1280, height: 900 },
  });
  const tab: Page = await context.newPage();
  const errors: string[] = [];
  tab.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  tab.on("pageerror", (error) => errors.push(String(error)));
  await tab.setContent(html, { waitUntil: "load" });
  return { tab, errors, close: () => context.close() };
}

Deno.test({
  name: "interactive views in Chromium: each lesson's views show a picture, then react live",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const shots = Deno.env.get("COURSE_SCREENSHOTS");
    if (shots !== undefined) await Deno.mkdir(shots, { recursive: true });
    const lessons = (await notebooks()).map((path) => ({ path, name: basename(path) }));
    const found = Object.fromEntries(
      lessons.map(({ path, name }) => [
        name,
        viewsOf(path).map((html) => /data-course-view="([^"]+)"/.exec(html)![1]),
      ]).filter(([, names]) => names.length > 0),
    );
    assertEquals(found, EXPECTED, "the lessons' views");
    const browser = await launchChromium();
    try {
      for (const { path, name } of lessons.filter((l) => l.name in EXPECTED)) {
        const html = page(viewsOf(path));
        await t.step(`${name}: each view's picture shows with scripts off`, async () => {
          const { tab, close } = await open(browser, html, false);
          try {
            const widths = await tab.locator("img.course-view-picture").evaluateAll((imgs) =>
              imgs.map((img) => (img as HTMLImageElement).naturalWidth)
            );
            assertEquals(widths.length, EXPECTED[name].length, `${name}: pictures`);
            assert(widths.every((w) => w > 0), `${name}: a picture did not load: ${widths}`);
            assertEquals(await tab.locator(".course-view-live").count(), 0);
          } finally {
            await close();
          }
        });
        await t.step(`${name}: each view draws live and reacts`, async () => {
          const { tab, errors, close } = await open(browser, html, true);
          try {
            const views = tab.locator("[data-course-view]");
            for (const [i, kind] of EXPECTED[name].entries()) {
              const view = views.nth(i);
              const label = `${name}, view ${i + 1} (${kind})`;
              assertEquals(await view.locator("img.course-view-picture").count(), 0, label);
              await EXPLORE[kind](view, label);
              if (shots !== undefined) {
                await view.screenshot({
                  path: join(shots, `${basename(name, ".ipynb")}_view${i + 1}.png`),
                });
              }
            }
            assertEquals(errors, [], `${name}: console errors`);
          } finally {
            await close();
          }
        });
      }
    } finally {
      await browser.close();
    }
  },
});
