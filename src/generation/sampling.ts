/**
 * Choosing the next token from the model's scores (logits).
 *
 * - **greedy** (temperature 0): always the most likely token;
 * - **temperature** T: probabilities ∝ exp(logit / T): below 1 sharper, above 1 flatter;
 * - **top-k**: only the k most likely tokens may be drawn;
 * - **top-p** (nucleus): only the most likely tokens whose probabilities add up to p;
 * - **min-p**: only the tokens whose probability is at least p × the top token's.
 *
 * @module
 */
import { requireInRange, requirePositiveInteger } from "../runtime/checks.ts";
import type { Random } from "../runtime/random.ts";

/** How to choose. */
export interface SamplingOptions {
  /** 0 for greedy; default 1. */
  temperature?: number;
  /** Keep only the k most likely tokens. */
  topK?: number;
  /** Keep only the smallest set of most likely tokens with total probability ≥ p. */
  topP?: number;
  /** Keep only the tokens whose probability is at least minP × the top token's. */
  minP?: number;
}

/**
 * Throw unless the sampling settings make sense — a finite temperature ≥ 0, a positive integer
 * topK, a topP in (0, 1], a minP in [0, 1] — whatever the temperature (greedy decoding ignores
 * the filters, but a bad value is still a mistake worth hearing about).
 */
export function checkSamplingOptions(options: SamplingOptions): void {
  requireInRange("temperature", options.temperature ?? 1, 0, Infinity, "[)");
  if (options.topK !== undefined) requirePositiveInteger("topK", options.topK);
  if (options.topP !== undefined) requireInRange("topP", options.topP, 0, 1, "(]");
  if (options.minP !== undefined) requireInRange("minP", options.minP, 0, 1, "[]");
}

/**
 * The distribution the next token is drawn from: temperature first, then top-k, top-p and min-p,
 * each judged on the tempered distribution; a token stays only if every filter given keeps it.
 */
export function nextTokenDistribution(
  logits: ArrayLike<number>,
  options: SamplingOptions = {},
): Float64Array {
  checkSamplingOptions(options);
  return filteredDistribution(logits, options);
}

/**
 * {@link nextTokenDistribution} without checking `options` (they must be valid). It uses
 * nothing outside itself but {@link argmax}, because the sampling explorer runs this very
 * function in the browser (sent as its source text, with `argmax`).
 */
export function filteredDistribution(
  logits: ArrayLike<number>,
  options: SamplingOptions,
): Float64Array {
  const temperature = options.temperature ?? 1;
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
  if (options.topK !== undefined) keep = Math.min(keep, options.topK);
  if (options.topP !== undefined) {
    let mass = 0;
    let needed = 0;
    while (needed < n && mass < options.topP) mass += out[order[needed++]];
    keep = Math.min(keep, needed);
  }
  if (options.minP !== undefined) {
    const threshold = options.minP * out[order[0]];
    let above = 0;
    while (above < n && out[order[above]] >= threshold) above++;
    keep = Math.min(keep, above);
  }
  for (let r = keep; r < n; r++) out[order[r]] = 0;
  let kept = 0;
  for (let i = 0; i < n; i++) kept += out[i];
  for (let i = 0; i < n; i++) out[i] /= kept;
  return out;
}

/** The index of the largest value (the first, on ties). */
export function argmax(values: ArrayLike<number>): number {
  if (values.length === 0) throw new RangeError("argmax needs at least one value, got none");
  let best = 0;
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) throw new RangeError(`argmax: the value at index ${i} is NaN`);
    if (values[i] > values[best]) best = i;
  }
  return best;
}

/** Draw an index from `probabilities` (which sum to 1). */
export function sampleIndex(probabilities: ArrayLike<number>, random: Random): number {
  let lastPossible = -1;
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i];
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
      throw new RangeError(`probability ${p} at index ${i} is not a number in [0, 1]`);
    }
    if (p > 0) lastPossible = i;
  }
  if (lastPossible < 0) throw new RangeError("sampleIndex needs a probability above 0, got none");
  let u = random.next();
  for (let i = 0; i < probabilities.length; i++) {
    u -= probabilities[i];
    if (u < 0) return i;
  }
  return lastPossible; // rounding left a sliver: the last token with any probability
}

/** The next token under `options` (greedy when the temperature is 0). */
export function pickNext(
  logits: ArrayLike<number>,
  options: SamplingOptions,
  random: Random,
): number {
  checkSamplingOptions(options);
  if ((options.temperature ?? 1) === 0) return argmax(logits);
  return sampleIndex(nextTokenDistribution(logits, options), random);
}
