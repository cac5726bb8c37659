/**
 * Choosing the next token from the model's scores (logits).
 *
 * - **greedy** (temperature 0): always the most likely token;
 * - **temperature** T: probabilities ∝ exp(logit / T): below 1 sharper, above 1 flatter;
 * - **top-k**: only the k most likely tokens may be drawn;
 * - **top-p** (nucleus): only the most likely tokens whose probabilities add up to p.
 *
 * @module
 */
import type { Random } from "../runtime/random.ts";
import { requirePositiveInteger } from "../nn/checks.ts";

/** How to choose. */
export interface SamplingOptions {
  /** 0 for greedy; default 1. */
  temperature?: number;
  /** Keep only the k most likely tokens. */
  topK?: number;
  /** Keep only the smallest set of most likely tokens with total probability ≥ p. */
  topP?: number;
}

/** The distribution the next token is drawn from, after temperature, top-k and top-p. */
export function nextTokenDistribution(
  logits: ArrayLike<number>,
  options: SamplingOptions = {},
): Float64Array {
  const temperature = options.temperature ?? 1;
  if (!(temperature >= 0)) throw new RangeError(`temperature must be ≥ 0, got ${temperature}`);
  const n = logits.length;
  const out = new Float64Array(n);
  if (temperature === 0) {
    out[argmax(logits)] = 1;
    return out;
  }
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, logits[i]);
  let total = 0;
  for (let i = 0; i < n; i++) total += out[i] = Math.exp((logits[i] - max) / temperature);
  for (let i = 0; i < n; i++) out[i] /= total;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => out[b] - out[a]);
  let keep = n;
  if (options.topK !== undefined) {
    requirePositiveInteger("topK", options.topK);
    keep = Math.min(keep, options.topK);
  }
  if (options.topP !== undefined) {
    if (!(options.topP > 0 && options.topP <= 1)) {
      throw new RangeError(`topP must be in (0, 1], got ${options.topP}`);
    }
    let mass = 0;
    let needed = 0;
    while (needed < n && mass < options.topP) mass += out[order[needed++]];
    keep = Math.min(keep, needed);
  }
  for (let r = keep; r < n; r++) out[order[r]] = 0;
  let kept = 0;
  for (let i = 0; i < n; i++) kept += out[i];
  for (let i = 0; i < n; i++) out[i] /= kept;
  return out;
}

/** The index of the largest value (the first, on ties). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** Draw an index from `probabilities` (which sum to 1). */
export function sampleIndex(probabilities: ArrayLike<number>, random: Random): number {
  let u = random.next();
  for (let i = 0; i < probabilities.length; i++) {
    u -= probabilities[i];
    if (u < 0) return i;
  }
  // Rounding left a sliver: the last token with any probability.
  for (let i = probabilities.length - 1; i >= 0; i--) if (probabilities[i] > 0) return i;
  return probabilities.length - 1;
}

/** The next token under `options` (greedy when the temperature is 0). */
export function pickNext(
  logits: ArrayLike<number>,
  options: SamplingOptions,
  random: Random,
): number {
  if ((options.temperature ?? 1) === 0) return argmax(logits);
  return sampleIndex(nextTokenDistribution(logits, options), random);
}
