import { assert, assertEquals, assertThrows } from "../assert.ts";
import {
  BpeTokenizer,
  ByteBpeTokenizer,
  CharTokenizer,
  loadTokenizer,
  mobyDick,
  type Tokenizer,
  tokenizerFromJSON,
  WordPieceTokenizer,
  WordTokenizer,
} from "../../src/mod.ts";

const gpt2 = await ByteBpeTokenizer.gpt2();

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
