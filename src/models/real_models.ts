/**
 * The shapes of real language models, as configs of the course's GPT, with the parameter
 * counts their makers published and where. `countParameters` computes each model's size from
 * its config; lesson 12 sets the two side by side.
 *
 * @module
 */
import { type GPTConfig, LLAMA_STYLE } from "./gpt.ts";

/** A real model's shape, its published size and the source of both. */
export interface RealModel {
  /** The model's name. */
  name: string;
  /** Its shape (a config too large to build here; the sizes only are used). */
  config: GPTConfig;
  /** The parameter count its makers published. */
  published: number;
  /** Where the shape and the published count come from. */
  source: string;
}

const GPT2_SOURCE = "Radford et al. 2019, Table 2 (layers, width); sizes as named in the " +
  "openai/gpt-2 repository's downloads (124M, 355M, 774M, 1558M); heads from their hparams.json";

/** GPT-2's shape: learned positions, LayerNorm, a GELU MLP, biases, the head tied to E. */
function gpt2(dModel: number, numLayers: number, numHeads: number): GPTConfig {
  return { vocabSize: 50257, contextLength: 1024, dModel, numHeads, numLayers, tieWeights: true };
}

/** A Llama-style shape (rotary positions, RMSNorm, SwiGLU, no biases, an untied head). */
function llama(shape: Omit<GPTConfig, "tieWeights">): GPTConfig {
  return { ...LLAMA_STYLE, ...shape };
}

/** GPT-2 to Llama 3, smallest first within each family. */
export const REAL_MODELS: readonly RealModel[] = [
  { name: "GPT-2 small", config: gpt2(768, 12, 12), published: 124e6, source: GPT2_SOURCE },
  { name: "GPT-2 medium", config: gpt2(1024, 24, 16), published: 355e6, source: GPT2_SOURCE },
  { name: "GPT-2 large", config: gpt2(1280, 36, 20), published: 774e6, source: GPT2_SOURCE },
  { name: "GPT-2 XL", config: gpt2(1600, 48, 25), published: 1558e6, source: GPT2_SOURCE },
  {
    name: "GPT-3",
    config: { ...gpt2(12288, 96, 96), contextLength: 2048 },
    published: 175.0e9,
    source: "Brown et al. 2020, Table 2.1 (175.0B; 96 layers, d_model 12,288, 96 heads of " +
      "128) and section 2.1 (context 2,048, GPT-2's tokenizer)",
  },
  {
    name: "TinyLlama 1.1B",
    config: llama({
      vocabSize: 32000,
      contextLength: 2048,
      dModel: 2048,
      numHeads: 32,
      numKVHeads: 4,
      numLayers: 22,
      dFF: 5632,
    }),
    published: 1.1e9,
    source: "Zhang et al. 2024, TinyLlama, Table 1 (1.1B; 22 layers, width 2,048, " +
      "32 heads, 4 key/value heads, FFN 5,632, Llama 2's tokenizer of 32,000)",
  },
  {
    name: "Llama 2 7B",
    config: llama({
      vocabSize: 32000,
      contextLength: 4096,
      dModel: 4096,
      numHeads: 32,
      numLayers: 32,
      dFF: 11008,
    }),
    published: 6.7e9,
    source: "Touvron et al. 2023a (LLaMA), Table 2 (6.7B; width 4,096, 32 heads, 32 layers), " +
      "a shape Llama 2 7B keeps with a context of 4,096 (Touvron et al. 2023b, Table 1)",
  },
  {
    name: "Mistral 7B",
    config: llama({
      vocabSize: 32000,
      contextLength: 8192,
      dModel: 4096,
      numHeads: 32,
      numKVHeads: 8,
      numLayers: 32,
      dFF: 14336,
    }),
    published: 7.3e9,
    source: "Jiang et al. 2023, Table 1 (32 layers, width 4,096, 32 heads, 8 key/value " +
      "heads, FFN 14,336, window 4,096, context 8,192, vocabulary 32,000); 7.3B in " +
      "Mistral AI's announcement",
  },
  {
    name: "Llama 3 8B",
    config: llama({
      vocabSize: 128256,
      contextLength: 8192,
      dModel: 4096,
      numHeads: 32,
      numKVHeads: 8,
      numLayers: 32,
      dFF: 14336,
      ropeBase: 500000,
    }),
    published: 8e9,
    source: "Llama Team 2024, The Llama 3 Herd of Models, Table 3 (8B: 32 layers, width " +
      "4,096, FFN 14,336, 32 heads, 8 key/value heads, vocabulary 128,000, RoPE base 500,000)",
  },
  {
    name: "Llama 3 70B",
    config: llama({
      vocabSize: 128256,
      contextLength: 8192,
      dModel: 8192,
      numHeads: 64,
      numKVHeads: 8,
      numLayers: 80,
      dFF: 28672,
      ropeBase: 500000,
    }),
    published: 70e9,
    source: "Llama Team 2024, Table 3 (70B: 80 layers, width 8,192, FFN 28,672, 64 heads, " +
      "8 key/value heads)",
  },
  {
    name: "Llama 3 405B",
    config: llama({
      vocabSize: 128256,
      contextLength: 131072,
      dModel: 16384,
      numHeads: 128,
      numKVHeads: 8,
      numLayers: 126,
      dFF: 53248,
      ropeBase: 500000,
    }),
    published: 405e9,
    source: "Llama Team 2024, Table 3 (405B: 126 layers, width 16,384, FFN 53,248, 128 " +
      "heads, 8 key/value heads); its context of 131,072 tokens after the paper's long-context " +
      "training, as released (Llama 3.1)",
  },
];
