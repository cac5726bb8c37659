import gpt2Ranks from "js-tiktoken/ranks/gpt2";
import { Tiktoken } from "js-tiktoken/lite";
import { assert, assertEquals, assertThrows } from "./assert.ts";
import {
  BpeTokenizer,
  ByteBpeTokenizer,
  CharTokenizer,
  learnMerges,
  loadTokenizer,
  mobyDick,
  Random,
  showBytes,
  type Tokenizer,
  tokenizerFromJSON,
  utf8Bytes,
  WordPieceTokenizer,
  WordTokenizer,
} from "../src/mod.ts";

const gpt2 = await ByteBpeTokenizer.gpt2();
const reference = new Tiktoken(gpt2Ranks);

Deno.test("char: sorted distinct characters; round trip; unknown character named", () => {
  const t = CharTokenizer.train("hello");
  assertEquals(t.vocabSize, 4);
  assertEquals(t.encode("hello"), [1, 0, 2, 2, 3]); // e h l o
  assertEquals(t.decode([3, 2, 0]), "ole");
  assertThrows(
    () => t.encode("help"),
    /character "p" \(U\+0070\) at index 3 is not in the vocabulary of 4 characters/,
  );
  assertEquals(CharTokenizer.train("").encode(""), []);
});

Deno.test("word: words and punctuation split; vocabulary by frequency; unknown token", () => {
  assertEquals(WordTokenizer.split("What is RAG?"), ["What", "is", "RAG", "?"]);
  assertEquals(WordTokenizer.split("Don't stop—ever."), ["Don't", "stop", "—", "ever", "."]);
  const t = WordTokenizer.train("the cat and the hat. the end", { maxWords: 3 });
  assertEquals(t.tokenize("the cat sat."), ["the", "<unk>", "<unk>", "."]);
  assertEquals(t.tokenText(0), "the");
  assertEquals(t.decode(t.encode("the. the")), "the. the");
  assertEquals(t.encode(""), []);
});

Deno.test("BPE learns merges from pair frequencies (the low/lower/lowest example)", () => {
  // Whole words as chunks, each counted: l-o and o-w are the most frequent pairs.
  const { merges } = learnMerges({
    chunks: new Map([["low", 5], ["lower", 2], ["newest", 6], ["widest", 3]]),
    symbolsOf: (w) => [...w],
    baseVocabulary: [..."deilnorstw"],
    join: (a, b) => a + b,
    vocabularySize: 10 + 4,
  });
  // Hand count: e-s 9 (newest 6 + widest 3), s-t 9, then "es"-t 9, l-o 7, o-w 7, w-e 8, …
  assertEquals(merges.map((m) => [m.merged, m.count]), [["es", 9], ["est", 9], ["lo", 7], [
    "low",
    7,
  ]]);
  // Chunks "low" ×1, " low" ×2, " lower" ×2, " lowest" ×1 over 8 characters. By hand: l-o 6 and
  // o-w 6 (a tie: alphabetically first pair first), then " "+"low" 5, " low"+"e" 3, " lowe"+"r" 2; every
  // pair left occurs once, below the minimum of 2, so training stops at 13 tokens.
  const learned: string[] = [];
  const bpe = BpeTokenizer.train("low low low lower lower lowest", 20, {
    onMerge: (m) => learned.push(m.merged),
  });
  assertEquals(learned, ["lo", "low", " low", " lowe", " lower"]);
  assertEquals(bpe.vocabSize, 13);
  assertEquals(bpe.tokenize(" lowest"), [" lowe", "s", "t"]);
  assertEquals(bpe.chunks("low lower"), ["low", " lower"]);
});

Deno.test("BPE on Moby Dick: round trip; a character it never saw is an error", () => {
  const text = mobyDick();
  const bpe = BpeTokenizer.train(text, 400);
  assertEquals(bpe.vocabSize, 400);
  const sample = text.slice(500_000, 520_000);
  assertEquals(bpe.decode(bpe.encode(sample)), sample);
  assert(bpe.encode(sample).length < sample.length / 2, "400 tokens should halve the length");
  assertThrows(
    () => bpe.encode("🐳"),
    /character "🐳" \(U\+1F433\) in "🐳" is not in the vocabulary/,
  );
});

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

Deno.test("character-level BPE merges long runs by the same rule", () => {
  const text = "abcabcabd ".repeat(50);
  const bpe = BpeTokenizer.train(text, 12);
  const run = "abcabcabd".repeat(500);
  assertEquals(bpe.decode(bpe.encode(run)), run);
  assertEquals(bpe.encode(run), Array(500).fill(bpe.encode("abcabcabd")).flat());
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

Deno.test("byte-level: a lone surrogate becomes U+FFFD, as TextEncoder does", () => {
  for (const s of ["a\ud800b", "\udc00", "x\ud83d"]) {
    assertEquals(utf8Bytes(s), String.fromCharCode(...new TextEncoder().encode(s)));
    assertEquals(gpt2.decode(gpt2.encode(s)), s.replace(/[\ud800-\udfff]/g, "\ufffd"));
  }
});

Deno.test("showBytes: whole characters as text, stray bytes as \\xNN, whitespace visible", () => {
  assertEquals(showBytes(" \xf0\x9f"), "␣\\xf0\\x9f");
  assertEquals(showBytes(utf8Bytes("白鯨 🐳\n")), "白鯨␣🐳⏎");
  assertEquals(showBytes("\xe7\x99"), "\\xe7\\x99");
  assertEquals(gpt2.tokenize("Moby 🐳"), ["M", "oby", "␣\\xf0\\x9f", "\\x90", "\\xb3"]);
});

Deno.test("decoding an id outside the vocabulary names it", () => {
  assertThrows(
    () => gpt2.decode([15496, 50257]),
    /cannot decode id 50257 at position 1: ids run from 0 to 50256/,
  );
  assertThrows(() => CharTokenizer.train("ab").decode([-1]), /cannot decode id -1 at position 0/);
});

Deno.test("byte-level BPE trains on bytes: any text encodes, nothing is unknown", () => {
  const t = ByteBpeTokenizer.train(mobyDick().slice(0, 100_000), 300);
  assertEquals(t.vocabSize, 300);
  for (const s of ["🐳 中文", "whale", ""]) assertEquals(t.decode(t.encode(s)), s);
  assertEquals(t.tokenize(" the whale").join("|").includes("␣"), true);
});

Deno.test("WordPiece: greedy longest match with ## pieces, [UNK], special tokens", () => {
  const wp = new WordPieceTokenizer([
    "play",
    "p",
    "##ing",
    "##ed",
    "##l",
    "##a",
    "##y",
    "the",
    "!",
    "un",
    "##believ",
    "##able",
  ]);
  assertEquals(wp.tokenize("Playing the played!"), ["play", "##ing", "the", "play", "##ed", "!"]);
  assertEquals(wp.tokenize("unbelievable"), ["un", "##believ", "##able"]);
  assertEquals(wp.tokenize("xylophone"), ["[UNK]"]);
  assertEquals(wp.tokenize("[CLS] play [SEP]", { special: "allow" }), ["[CLS]", "play", "[SEP]"]);
  assertEquals(wp.decode(wp.encode("playing the game!")), "playing the [UNK] !");
  assertEquals(wp.encode(""), []);
});

Deno.test("WordPiece trained on Moby Dick: 'playing' → 'play', '##ing'", () => {
  const wp = WordPieceTokenizer.train(mobyDick(), 4000);
  assertEquals(wp.vocabSize, 4000);
  assertEquals(wp.tokenize("playing"), ["play", "##ing"]);
  assertEquals(wp.tokenize("The whale"), ["the", "whale"]);
});

async function roundTripThroughFile(t: Tokenizer): Promise<Tokenizer> {
  const path = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await t.save(path);
    return await loadTokenizer(path);
  } finally {
    await Deno.remove(path);
  }
}

Deno.test("save → load gives the same tokenizer, for every kind", async () => {
  const text = mobyDick().slice(0, 50_000);
  const sample = "Call me Ishmael. Some years ago—never mind how long precisely.";
  const kinds: Tokenizer[] = [
    CharTokenizer.train(text, ["<start>", "<end>"]),
    WordTokenizer.train(text),
    BpeTokenizer.train(text, 300, { special: ["<|endoftext|>"] }),
    ByteBpeTokenizer.train(text, 300),
    WordPieceTokenizer.train(text, 500, { minCount: 2 }),
    gpt2,
  ];
  for (const t of kinds) {
    const loaded = await roundTripThroughFile(t);
    assertEquals(loaded.constructor, t.constructor);
    assertEquals(loaded.vocabSize, t.vocabSize);
    assertEquals(loaded.encode(sample), t.encode(sample), t.type);
    assertEquals([...loaded.specialTokens], [...t.specialTokens]);
  }
});

Deno.test("malformed tokenizer files fail on load with a clear message", async () => {
  const good = CharTokenizer.train("abc", ["<end>"]).toJSON();
  assertThrows(() => tokenizerFromJSON([]), /must hold a JSON object/);
  assertThrows(
    () => tokenizerFromJSON({ ...good, format: "other" }),
    /"format" is "other", expected "course-tokenizer"/,
  );
  assertThrows(
    () => tokenizerFromJSON({ ...good, tokens: ["a", 3] }),
    /"tokens" must be an array of strings/,
  );
  assertThrows(
    () => tokenizerFromJSON({ ...good, special: { "<end>": 7 } }),
    /"<end>" has id 7, expected 3/,
  );
  assertThrows(
    () => tokenizerFromJSON({ ...good, type: "sentencepiece" }),
    /unknown tokenizer type "sentencepiece"/,
  );
  assertThrows(
    () => tokenizerFromJSON({ ...good, tokens: ["a", "a"], special: {} }),
    /duplicate token "a"/,
  );
  const path = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(path, JSON.stringify(good).slice(0, 30));
    let message = "";
    await loadTokenizer(path).catch((e) => (message = e.message));
    assert(message.includes("is not valid JSON (truncated or corrupted?)"), message);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("special tokens are never split, and longer ones win over their prefixes", () => {
  const t = CharTokenizer.train("abc<>", ["<start>", "<end>", "<end2>"]);
  assertEquals(t.tokenize("a<start>b<end2>c", { special: "allow" }), [
    "a",
    "<start>",
    "b",
    "<end2>",
    "c",
  ]);
  assertThrows(() => t.encode("a<end>"), /special token "<end>" at index 1/);
  assertThrows(() => new CharTokenizer(["a"], ["<x>", "<x>"]), /listed twice/);
});
