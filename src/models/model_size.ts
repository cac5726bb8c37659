/**
 * A GPT's size from its config alone, without building it: how many parameters it has, and how
 * many bytes its KV cache holds per token. Both work for models far too large to build here.
 *
 *     parameters = V·C (embedding) + [T·C (learned positions)] + L × block + final norm
 *                  + [V·C (an untied head)]
 *     block      = attention: 2·C·C (W_Q, W_O) + 2·C·(H_kv·d) (W_K, W_V)
 *                + feed-forward: 2·C·dFF (MLP) or 3·C·dFF (SwiGLU)
 *                + two norms (2C each for LayerNorm, C for RMSNorm) [+ the biases]
 *
 * @module
 */
import { requirePositiveNumber } from "../runtime/checks.ts";
import { type GPTConfig, resolveGPTConfig } from "./gpt.ts";

/** The parameters of a GPT with `config`: equal to `new GPT(config).parameterCount()`. */
export function countParameters(config: GPTConfig): number {
  const c = resolveGPTConfig(config, { buildHere: false });
  const C = c.dModel;
  const kvWidth = c.numKVHeads * (C / c.numHeads); // H_kv · d_head
  const bias = c.bias ? 1 : 0;
  const norm = c.norm === "layer" ? 2 * C : C; // gain and bias, or gain only
  const attention = 2 * C * C + 2 * C * kvWidth + bias * (2 * C + 2 * kvWidth);
  const feedForward = c.feedForward === "swiglu"
    ? 3 * C * c.dFF + bias * (2 * c.dFF + C)
    : 2 * C * c.dFF + bias * (c.dFF + C);
  const block = attention + feedForward + 2 * norm;
  return c.vocabSize * C + (c.positions === "learned" ? c.contextLength * C : 0) +
    c.numLayers * block + norm + (c.tieWeights ? 0 : c.vocabSize * C);
}

/**
 * Bytes the KV cache holds per token: a key and a value of `numKVHeads × d_head` numbers in each
 * block, at `bytesPerNumber` each (default 2: 16-bit floats).
 */
export function kvCacheBytesPerToken(config: GPTConfig, bytesPerNumber = 2): number {
  requirePositiveNumber("bytesPerNumber", bytesPerNumber);
  const c = resolveGPTConfig(config, { buildHere: false });
  return c.numLayers * c.numKVHeads * (c.dModel / c.numHeads) * 2 * bytesPerNumber;
}
