/**
 * `deno task ablate:modern_gpt`: train every row of lesson 12's ablation (`ABLATION` in
 * `src/recipes/modern_gpt.ts`) with each seed, exactly as lesson 7 trains its GPT (same split,
 * steps, batches, schedule), and write `data/modern_ablation.json`: per run the final validation
 * and training loss (200 batches each, as lesson 7), the training time per step, the parameters
 * and the KV-cache bytes per token. The file is rewritten after every run, so a stopped run
 * keeps what it finished.
 *
 * `--steps N` trains fewer steps; `--rows 0,5` and `--seeds 1337` choose a subset; `--out PATH`
 * writes elsewhere.
 *
 * @module
 */
import {
  ABLATION,
  ABLATION_SEEDS,
  type AblationResults,
  type AblationRun,
  kvCacheBytesPerToken,
  MOBY_GPT_TRAINING,
} from "../src/mod.ts";
import { trainMobyDickGPT } from "./moby_dick_gpt.ts";
import { option, runSettings } from "./training_run.ts";

const { settings } = runSettings(MOBY_GPT_TRAINING, "modern_ablation.json");
const out = option("--out") ?? new URL("../data/modern_ablation.json", import.meta.url).pathname;
const rows = (option("--rows") ?? ABLATION.map((_, i) => i).join(",")).split(",").map(Number);
const seeds = (option("--seeds") ?? ABLATION_SEEDS.join(",")).split(",").map(Number);
for (const row of rows) {
  if (!(row in ABLATION)) {
    throw new RangeError(`--rows: no row ${row}; rows are 0 … ${ABLATION.length - 1}`);
  }
}

const args = Deno.args.join(" ");
const runs: AblationRun[] = [];
for (const row of rows) {
  for (const seed of seeds) {
    const { name, config } = ABLATION[row];
    console.log(`${name}, seed ${seed}`);
    const run = await trainMobyDickGPT(config, seed, settings);
    runs.push({
      row,
      name,
      seed,
      config: run.model.config,
      parameters: run.model.parameterCount(),
      kvCacheBytesPerToken: kvCacheBytesPerToken(run.model.config, 4), // float32, as stored here
      valLoss: run.valLoss,
      trainLoss: run.trainLoss,
      msPerStep: (1000 * run.result.seconds) / settings.steps,
    });
    run.model.dispose();
    const results: AblationResults = {
      made: `deno task ablate:modern_gpt${args === "" ? "" : ` ${args}`}`,
      steps: settings.steps,
      batchSize: settings.batchSize,
      backend: run.backend,
      threads: settings.shards ?? 1,
      runs,
    };
    await Deno.writeTextFile(out, JSON.stringify(results, null, 2) + "\n");
  }
}
console.log(`wrote ${out}`);
