import gpt2Ranks from "js-tiktoken/ranks/gpt2";
import { Tiktoken } from "js-tiktoken/lite";
import { assert, assertEquals, assertThrows } from "../assert.ts";
import { ByteBpeTokenizer, mobyDick, Random } from "../../src/mod.ts";

const gpt2 = await ByteBpeTokenizer.gpt2();
const reference = new Tiktoken(gpt2Ranks);

Deno.test("GPT-2: identical ids to js-tiktoken on the whole of Moby Dick", () => {
  const text = mobyDick();
  const ours = gpt2.encode(text);
  const theirs = reference.encode(text);
  assertEquals(ours.length, theirs.length);
  const first = ours.findIndex((id, i) => id !== theirs[i]);
  assertEquals(first, -1, `first difference at token ${first}`);
  assertEquals(gpt2.decode(ours), text);
});

const HARD_STRINGS = [
  "Hello world",
  "🐳 whales 🐋🐳🐋 and 👨‍👩‍👧‍👦 families",
  "中文字符和日本語のテキスト, 한국어",
  "e\u0301 vs é, combining: a\u0308\u0323",
  "runs   of    spaces\n\n\n\nand\t\ttabs \n \n",
  "digits 1234567890 3.14159 1,000,000 2024-11-22",
  "we're I'LL they've she'd it's I'm you'll DON'T",
  "control \u0000 \u0001 \u0007 \u001b[31m \u007f",
  "<|endoftext| <|endoftext |> <| endoftext|> endoftext <|endof",
  "    leading and trailing    ",
  "",
  " ",
  "\n",
  "a",
  "ﬁ ligature ＦＵＬＬＷＩＤＴＨ ①②③ ½",
];

Deno.test("GPT-2: identical ids to js-tiktoken on hard strings", () => {
  for (const s of HARD_STRINGS) {
    assertEquals(gpt2.encode(s), reference.encode(s), JSON.stringify(s));
    assertEquals(gpt2.decode(gpt2.encode(s)), s);
  }
});

/** Long runs without a space: each is one pre-token, merged as a whole. */
function longRuns(length: number): string[] {
  const r = new Random(22);
  const pick = (alphabet: string, n = length) =>
    Array.from({ length: n }, () => alphabet[r.int(alphabet.length)]).join("");
  return [
    "ab".repeat(length / 2),
    pick("ACGT"), // DNA
    pick("abcdefghijklmnopqrstuvwxyz"),
    pick("{}();=+-*/<>!&|,.:'\""), // minified code's punctuation
    "9".repeat(length),
    pick("éüßøæ中文字", length / 4), // 2 or 3 bytes each
  ];
}

Deno.test("GPT-2: identical ids to js-tiktoken on long runs without spaces", () => {
  // Moderate lengths: js-tiktoken's merging is quadratic too (0.5 s for 1,000 letters).
  for (const s of longRuns(1000)) {
    assertEquals(gpt2.encode(s), reference.encode(s), JSON.stringify(s.slice(0, 20)));
    assertEquals(gpt2.decode(gpt2.encode(s)), s);
  }
});

Deno.test("GPT-2: a 200,000-character run without spaces encodes in time close to linear", () => {
  // Merging by rescanning every pair took 11 s for 20,000 characters, and 4 × as long for
  // twice as many; merging through a priority queue takes a fraction of a second.
  for (const s of longRuns(200_000)) {
    const started = performance.now();
    const ids = gpt2.encode(s);
    const seconds = (performance.now() - started) / 1000;
    assert(seconds < 5, `${seconds.toFixed(1)} s for ${JSON.stringify(s.slice(0, 10))}…`);
    assertEquals(gpt2.decode(ids), s);
  }
});

Deno.test("GPT-2 special tokens: forbidden by default, allowed on request, or plain text", () => {
  const text = "end<|endoftext|>start";
  assertThrows(() => gpt2.encode(text), /special token "<\|endoftext\|>" at index 3/);
  const allowed = gpt2.encode(text, { special: "allow" });
  assertEquals(allowed, reference.encode(text, ["<|endoftext|>"]));
  assert(allowed.includes(50256));
  const asText = gpt2.encode(text, { special: "as-text" });
  assertEquals(asText, reference.encode(text, [], []));
  assert(!asText.includes(50256));
  assertEquals(gpt2.decode(allowed), text);
  assertEquals(gpt2.tokenText(50256), "<|endoftext|>");
});

/** Random strings from a mix of ASCII, Latin, CJK, emoji (astral) and combining marks. */
function randomString(r: Random): string {
  const ranges = [[0x20, 0x7e], [0x00, 0x1f], [0xa0, 0x24f], [0x4e00, 0x9fff], [0x1f300, 0x1faff], [
    0x300,
    0x36f,
  ], [0x10000, 0x10ffff]];
  let out = "";
  const length = r.int(20);
  for (let i = 0; i < length; i++) {
    const [lo, hi] = ranges[r.int(ranges.length)];
    let code = lo + r.int(hi - lo + 1);
    if (code >= 0xd800 && code <= 0xdfff) code = 0x41;
    out += String.fromCodePoint(code);
  }
  return out;
}

Deno.test("byte-level round trip: 10,000 random strings, astral characters included", () => {
  const r = new Random(2024);
  for (let i = 0; i < 10_000; i++) {
    const s = randomString(r);
    const decoded = gpt2.decode(gpt2.encode(s, { special: "as-text" }));
    if (decoded !== s) {
      throw new Error(`round trip changed ${JSON.stringify(s)} into ${JSON.stringify(decoded)}`);
    }
  }
});

Deno.test("byte-level BPE trains on bytes: any text encodes, nothing is unknown", () => {
  const t = ByteBpeTokenizer.train(mobyDick().slice(0, 100_000), 300);
  assertEquals(t.vocabSize, 300);
  for (const s of ["🐳 中文", "whale", ""]) assertEquals(t.decode(t.encode(s)), s);
  assertEquals(t.tokenize(" the whale").join("|").includes("␣"), true);
});
