/**
 * `deno task train:modern_gpt`: train lesson 12's model (lesson 7's GPT with rotary positions,
 * RMSNorm, SwiGLU, grouped-query attention and no biases) exactly as lesson 7 trains its GPT,
 * and save it as `data/modern_gpt.ckpt`; lesson 12 loads it in quick mode.
 *
 * `--steps N` trains fewer steps (the schedule is shortened to match); `--out PATH` writes
 * elsewhere.
 *
 * @module
 */
import { MOBY_GPT_SEED, MOBY_GPT_TRAINING, modernGPTConfig } from "../src/mod.ts";
import { trainAndSave } from "./moby_dick_gpt.ts";
import { runSettings } from "./training_run.ts";

const { settings, out } = runSettings(MOBY_GPT_TRAINING, "modern_gpt.ckpt");
await trainAndSave(modernGPTConfig, MOBY_GPT_SEED, settings, out, "deno task train:modern_gpt");
