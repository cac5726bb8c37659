import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";
import { assert, assertEquals } from "../assert.ts";
import { consoleSink, displaySink, plot, show, toBundle } from "../../src/mod.ts";

Deno.test("display loads and works outside the kernel: the console sink prints text", async () => {
  assertEquals(displaySink(), consoleSink);
  const printed: unknown[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => printed.push(...args);
  try {
    await show("outside", plot({ marks: [Plot.lineY([1, 2])] }));
  } finally {
    console.log = log;
  }
  assertEquals(printed[0], "outside");
  assert(String(printed[1]).startsWith("[plot"));
  const svgElement = Plot.plot({
    document: parseHTML("<html><body></body></html>").document,
    marks: [],
  });
  assert(toBundle(svgElement)["image/svg+xml"].startsWith("<svg"), "Plot elements display as SVG");
});
