/**
 * Tokenizer speed: `deno task bench`. Targets (issue: tokenization): BPE training on all of
 * Moby Dick to 1,024 tokens in ≤ 10 s; GPT-2 encoding at ≥ 50 % of js-tiktoken's throughput.
 * Issue 22: 1 MB of text without spaces (one pre-token: a DNA string, a run of letters) at
 * ≥ 1 MB/s, as ordinary text (js-tiktoken, quadratic there, is left out: it would take hours).
 */
import gpt2Ranks from "js-tiktoken/ranks/gpt2";
import { Tiktoken } from "js-tiktoken/lite";
import { BpeTokenizer, ByteBpeTokenizer, mobyDick, Random } from "../src/mod.ts";

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

const random = new Random(22);
const MEGABYTE = 1_000_000;
const run = (alphabet: string) =>
  Array.from({ length: MEGABYTE }, () => alphabet[random.int(alphabet.length)]).join("");
const dna = run("ACGT");
const letters = run("abcdefghijklmnopqrstuvwxyz");
let runs = 0;
/** `text` behind letters that differ at each call (still one pre-token), so none is cached. */
const fresh = (text: string) =>
  (++runs).toString(26).replace(/./g, (d) => "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[parseInt(d, 26)]) + text;

Deno.bench(
  { name: "GPT-2 encode 1 MB without spaces: DNA (ACGT)", group: "no spaces", n: 3, warmup: 1 },
  () => {
    gpt2.encode(fresh(dna));
  },
);

Deno.bench(
  { name: "GPT-2 encode 1 MB without spaces: random letters", group: "no spaces", n: 3, warmup: 1 },
  () => {
    gpt2.encode(fresh(letters));
  },
);
