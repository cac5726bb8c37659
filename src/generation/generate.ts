/**
 * Writing text with a GPT: predict a token, append it, repeat.
 *
 * Without a cache each step runs the model on the whole (cropped) sequence. With the KV cache
 * each step runs it on the one new token, reusing the keys and values of the earlier ones.
 * While the sequence fits in the context, both give the same logits and, with greedy decoding,
 * the same tokens. When it no longer fits, the uncached model slides its window one token at a
 * time. With rotary positions the cache slides too: it drops its oldest position and goes on,
 * since scores depend only on how far apart two positions are. In one block that is the same as
 * recomputing the window; in deeper stacks a cached key was made when its token still saw
 * positions that have since left the window, so the cache gives sliding-window attention (each
 * block attends to the last `contextLength` positions, as Mistral's does) rather than a
 * recomputation. With learned positions a position's key depends on where the window starts, so
 * the cache restarts from the last half of the window instead (each token then sees at least
 * half a context of history).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { GPT } from "../models/gpt.ts";
import {
  requireBoolean,
  requireId,
  requireIds,
  requireNonNegativeInteger,
} from "../runtime/checks.ts";
import { type Random, rng } from "../runtime/random.ts";
import { checkSamplingOptions, pickNext, type SamplingOptions } from "./sampling.ts";

/** Settings of {@link generate}. */
export interface GenerateOptions extends SamplingOptions {
  /** How many tokens to add (an integer ≥ 0). */
  maxNewTokens: number;
  /** Stop after writing this token (it is included in the result). */
  stopId?: number;
  /** Use the KV cache (default true). */
  cache?: boolean;
  /** Random numbers for sampling (default the course-wide generator). */
  random?: Random;
  /** Called with each new token as it is chosen. */
  onToken?: (id: number) => void;
}

/** The tokens that follow `prompt` (not including it). */
export function generate(
  model: GPT,
  prompt: readonly number[],
  options: GenerateOptions,
): number[] {
  if (prompt.length === 0) throw new RangeError("generate needs a prompt of at least one token");
  const { vocabSize, contextLength: context } = model.config;
  requireIds("prompt token", prompt, vocabSize);
  requireNonNegativeInteger("maxNewTokens", options.maxNewTokens);
  if (options.stopId !== undefined) requireId("stopId", options.stopId, vocabSize);
  const useCache = options.cache ?? true;
  requireBoolean("cache", useCache);
  checkSamplingOptions(options);
  const random = options.random ?? rng;
  const sequence = [...prompt];
  const added: number[] = [];
  const cache = useCache ? model.newCache() : undefined;
  try {
    let pending = sequence.slice(-context); // tokens the cache has not seen yet
    for (let step = 0; step < options.maxNewTokens; step++) {
      if (cache && cache.length + pending.length > context) {
        if (model.config.positions === "rotary") {
          cache.dropOldest(cache.length + pending.length - context); // slide by one
        } else {
          cache.clear(); // restart from the last half of the window
          pending = sequence.slice(-Math.max(1, Math.floor(context / 2)));
        }
      }
      // With the cache, only the tokens it has not seen; without, the whole (cropped) window.
      const last = tf.tidy(() => {
        const ids = tf.tensor2d([cache ? pending : sequence.slice(-context)], undefined, "int32");
        const logits = cache ? model.forwardCached(ids, cache) : model.forward(ids); // (1, T, V)
        return logits.slice([0, logits.shape[1] - 1, 0], [1, 1, -1]); // the last position
      });
      const values = last.dataSync();
      last.dispose();
      const next = pickNext(values, options, random);
      sequence.push(next);
      added.push(next);
      pending = [next];
      options.onToken?.(next);
      if (next === options.stopId) break;
    }
  } finally {
    cache?.clear();
  }
  return added;
}
