import { assert, assertEquals } from "../assert.ts";
import {
  ABLATION,
  type AblationResults,
  countParameters,
  kvCacheBytesPerToken,
  mobyGPTConfig,
  modernGPTConfig,
  readAblation,
} from "../../src/mod.ts";

Deno.test("the modern GPT: lesson 7's shape and size, Llama's choices, half the KV cache", () => {
  const [gpt2, modern] = [mobyGPTConfig(81), modernGPTConfig(81)];
  for (const key of ["numLayers", "numHeads", "dModel", "contextLength"] as const) {
    assertEquals(modern[key], gpt2[key], key);
  }
  const ratio = countParameters(modern) / countParameters(gpt2);
  assert(Math.abs(ratio - 1) < 0.01, `parameters: modern / lesson 7 = ${ratio}`);
  assertEquals(kvCacheBytesPerToken(modern) * 2, kvCacheBytesPerToken(gpt2));
  assertEquals(ABLATION[0].config(81), gpt2);
  assertEquals(ABLATION.at(-1)!.config(81), modern);
});

Deno.test("readAblation reads the task's file and names the fields a wrong one lacks", async () => {
  const path = await Deno.makeTempFile({ suffix: ".json" });
  try {
    const run = {
      row: 0,
      name: ABLATION[0].name,
      seed: 1,
      config: mobyGPTConfig(81),
      parameters: 1,
      kvCacheBytesPerToken: 4096,
      valLoss: 1.7,
      trainLoss: 1.6,
      msPerStep: 100,
    };
    const results: AblationResults = {
      made: "deno task ablate:modern_gpt",
      steps: 2000,
      batchSize: 12,
      backend: "wasm",
      threads: 2,
      runs: [run],
    };
    await Deno.writeTextFile(path, JSON.stringify(results));
    assertEquals(await readAblation(path), results);
    const { msPerStep: _, ...lacking } = run;
    const failure = async (content: unknown) => {
      await Deno.writeTextFile(path, JSON.stringify(content));
      return await readAblation(path).then(() => "", (e: Error) => e.message);
    };
    const message = await failure({ ...results, runs: [run, lacking] });
    assert(message.includes("expected runs[1].msPerStep (a number)"), message);
    assert((await failure(null)).includes("steps (a number), batchSize (a number)"));
    assert((await failure({ ...results, runs: [] })).includes("runs (a list of at least one run)"));
    const badRow = await failure({ ...results, runs: [{ ...run, row: 6 }] });
    assert(badRow.includes("runs[0].row (a row 0 … 5, not 6)"), badRow);
  } finally {
    await Deno.remove(path);
  }
});
