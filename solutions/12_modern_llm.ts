/**
 * Solutions to lesson 12's exercises (`src/exercises/modern_llm.ts` checks them; the test suite
 * proves every check passes here and reports "not done" on the notebook's stubs).
 *
 * @module
 */
import type {
  GPTConfig,
  KVCacheBytes,
  LlamaParameters,
  RMSNormGrad,
  SwiGLUWidth,
} from "../src/mod.ts";

/** Exercise 1: a key and a value of numKVHeads × d_head numbers, in every block. */
export const kvCacheBytes: KVCacheBytes = (config: GPTConfig, bytesPerNumber: number) => {
  const headSize = config.dModel / config.numHeads;
  const kvHeads = config.numKVHeads ?? config.numHeads;
  return config.numLayers * kvHeads * headSize * 2 * bytesPerNumber;
};

/** Exercise 2: h = ⌊8C/3⌋, then up to the next multiple. */
export const swigluWidth: SwiGLUWidth = (dModel: number, multipleOf: number) =>
  Math.ceil(Math.floor((8 * dModel) / 3) / multipleOf) * multipleOf;

/** Exercise 3: the embedding, the blocks, the final norm and the head. */
export const llamaParameters: LlamaParameters = (config: GPTConfig) => {
  const C = config.dModel;
  const kvWidth = (config.numKVHeads ?? config.numHeads) * (C / config.numHeads);
  const dFF = config.dFF ?? Math.floor((8 * C) / 3); // SwiGLU's default width
  const block = 2 * C * C + 2 * C * kvWidth + 3 * C * dFF + 2 * C;
  return config.vocabSize * C + config.numLayers * block + C + C * config.vocabSize;
};

/** Exercise 4: dx = (g − x̂ · mean(g ⊙ x̂)) / σ, with g = dy ⊙ gain. */
export const rmsNormGrad: RMSNormGrad = (
  x: number[],
  gain: number[],
  dy: number[],
  epsilon: number,
) => {
  const n = x.length;
  const sigma = Math.sqrt(x.reduce((s, v) => s + v * v, 0) / n + epsilon);
  const xHat = x.map((v) => v / sigma);
  const g = dy.map((d, i) => d * gain[i]);
  const meanGXHat = g.reduce((s, gi, i) => s + gi * xHat[i], 0) / n;
  return g.map((gi, i) => (gi - xHat[i] * meanGXHat) / sigma);
};
