import { assert, assertEquals } from "../assert.ts";
import {
  countParameters,
  GPT,
  type GPTConfig,
  initCourse,
  kvCacheBytesPerToken,
  LLAMA_STYLE,
  REAL_MODELS,
} from "../../src/mod.ts";
import { TINY } from "../fixtures.ts";

await initCourse();

Deno.test("countParameters equals the parameters of the model built, for every choice", () => {
  const configs: GPTConfig[] = [
    TINY,
    { ...TINY, tieWeights: false },
    { ...TINY, ...LLAMA_STYLE },
    { ...TINY, ...LLAMA_STYLE, numKVHeads: 1, dFF: 40 },
    { ...TINY, norm: "rms", bias: false },
    { ...TINY, feedForward: "swiglu" },
    { ...TINY, positions: "rotary", numKVHeads: 2, activation: "relu" },
  ];
  for (const config of configs) {
    const model = new GPT(config);
    assertEquals(countParameters(config), model.parameterCount(), JSON.stringify(config));
    model.dispose();
  }
});

Deno.test("real models: the count from each config is within 1 % of the published size", () => {
  for (const { name, config, published } of REAL_MODELS) {
    const counted = countParameters(config);
    const off = Math.abs(counted - published) / published;
    assert(
      off < 0.01,
      `${name}: counted ${counted.toLocaleString("en-US")}, published ${published}`,
    );
  }
  const named = new Map(REAL_MODELS.map((m) => [m.name, countParameters(m.config)]));
  assertEquals(named.get("GPT-2 small"), 124_439_808); // as Hugging Face's GPT2LMHeadModel counts it
  assertEquals(named.get("Llama 3 8B"), 8_030_261_248);
});

Deno.test("KV-cache bytes per token: layers × KV heads × d_head × 2 (K and V) × bytes", () => {
  const llama3 = REAL_MODELS.find((m) => m.name === "Llama 3 8B")!.config;
  assertEquals(kvCacheBytesPerToken(llama3), 32 * 8 * 128 * 2 * 2); // 128 KiB
  assertEquals(kvCacheBytesPerToken(llama3), 128 * 1024);
  assertEquals(kvCacheBytesPerToken(TINY, 4), 2 * 4 * 8 * 2 * 4); // float32: 2 layers, 4 heads of 8
});
