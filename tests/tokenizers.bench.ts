/**
 * Tokenizer speed: `deno task bench`. Targets (issue: tokenization): BPE training on all of
 * Moby Dick to 1,024 tokens in ≤ 10 s; GPT-2 encoding at ≥ 50 % of js-tiktoken's throughput.
 */
import gpt2Ranks from "js-tiktoken/ranks/gpt2";
import { Tiktoken } from "js-tiktoken/lite";
import { BpeTokenizer, ByteBpeTokenizer, mobyDick } from "../src/mod.ts";

const text = mobyDick();
const gpt2 = await ByteBpeTokenizer.gpt2();
const reference = new Tiktoken(gpt2Ranks);

Deno.bench(
  { name: "BPE training, Moby Dick → 1,024 tokens", group: "train", n: 3, warmup: 0 },
  () => {
    BpeTokenizer.train(text, 1024);
  },
);

Deno.bench({
  name: "GPT-2 encode Moby Dick: course (fresh tokenizer, cold cache)",
  group: "gpt2",
  n: 5,
  warmup: 1,
}, async () => {
  (await ByteBpeTokenizer.gpt2()).encode(text);
});

Deno.bench(
  { name: "GPT-2 encode Moby Dick: course (warm cache)", group: "gpt2", n: 5, warmup: 1 },
  () => {
    gpt2.encode(text);
  },
);

Deno.bench({
  name: "GPT-2 encode Moby Dick: js-tiktoken",
  group: "gpt2",
  baseline: true,
  n: 5,
  warmup: 1,
}, () => {
  reference.encode(text);
});
