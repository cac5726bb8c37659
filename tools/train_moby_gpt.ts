/**
 * `deno task train:moby_gpt`: train the character-level GPT of lesson 7 on Moby Dick and save it as
 * `data/moby_gpt.ckpt` (weights, config, tokenizer, and the training history in the metadata).
 * This is the command that remakes the shipped checkpoint; lesson 7 loads it in quick mode.
 *
 * `--steps N` trains fewer steps (the schedule is shortened to match); `--out PATH` writes
 * elsewhere.
 *
 * @module
 */
import { MOBY_GPT_SEED, MOBY_GPT_TRAINING, mobyGPTConfig } from "../src/mod.ts";
import { trainAndSave } from "./moby_dick_gpt.ts";
import { runSettings } from "./training_run.ts";

const { settings, out } = runSettings(MOBY_GPT_TRAINING, "moby_gpt.ckpt");
await trainAndSave(mobyGPTConfig, MOBY_GPT_SEED, settings, out, "deno task train:moby_gpt");
