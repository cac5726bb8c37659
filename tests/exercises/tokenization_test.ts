import { TOKENIZATION_EXERCISES, yourTurn } from "../../src/mod.ts";
import { proveCaught, proveChecks, proveNotebookStubs } from "./prove.ts";
import * as solutions from "../../solutions/01_tokenization.ts";

/** A character tokenizer that numbers from 1, and gives 0 to a character it does not know. */
const fromOne = (training: string) => {
  const chars = [...new Set(training)].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
  return {
    encode: (text: string) => [...text].map((c) => chars.indexOf(c) + 1),
    decode: (ids: number[]) => ids.map((id) => chars[id - 1]).join(""),
  };
};

/** WordPiece's rule instead of BPE's: the longest token that starts the rest, from the left. */
const longestFirst = (chunk: string, vocabulary: readonly string[]) => {
  const tokens = new Set(vocabulary);
  const out: string[] = [];
  for (let start = 0; start < chunk.length;) {
    let end = chunk.length;
    while (end > start + 1 && !tokens.has(chunk.slice(start, end))) end--;
    out.push(chunk.slice(start, end));
    start = end;
  }
  return out;
};

Deno.test("lesson 1's exercises: every check passes on the solution, fails on a wrong answer, and a stub is not done", async () => {
  const ex = TOKENIZATION_EXERCISES;
  await proveChecks(
    "charTokenizer",
    ex.charTokenizer,
    solutions.charTokenizerByHand,
    fromOne,
    () => yourTurn("charTokenizerByHand"),
  );
  await proveChecks(
    "utf8Bytes",
    ex.utf8Bytes,
    solutions.utf8ByteValues,
    // UTF-16: two bytes per code unit
    (text) => Array.from(text, (_, i) => text.charCodeAt(i)).flatMap((u) => [u >> 8, u & 255]),
    () => yourTurn("utf8ByteValues"),
  );
  await proveChecks(
    "mergesUntilToken",
    ex.mergesUntilToken,
    solutions.mergesUntilToken,
    (wordCounts, word) => solutions.mergesUntilToken(wordCounts, word) - 1, // the merges before it
    () => yourTurn("mergesUntilToken"),
  );
  await proveChecks(
    "encodeChunk",
    ex.encodeChunk,
    solutions.encodeChunk,
    (chunk) => [...chunk], // never merged
    () => yourTurn("encodeChunk"),
  );
  // typical mistakes, each caught by some check
  await proveCaught("sorted by UTF-16 code units", ex.charTokenizer, (training) => {
    const chars = [...new Set(training)].sort();
    return {
      encode: (text) => [...text].map((c) => chars.indexOf(c)),
      decode: (ids) => ids.map((id) => chars[id]).join(""),
    };
  });
  await proveCaught("split into UTF-16 code units", ex.charTokenizer, (training) => {
    const units = [...new Set(training.split(""))].sort();
    return {
      encode: (text) => text.split("").map((c) => units.indexOf(c)),
      decode: (ids) => ids.map((id) => units[id]).join(""),
    };
  });
  await proveCaught("an unknown character encoded as -1", ex.charTokenizer, (training) => {
    const codec = solutions.charTokenizerByHand(training);
    return {
      ...codec,
      encode: (text) => [...text].map((c) => training.includes(c) ? codec.encode(c)[0] : -1),
    };
  });
  await proveCaught(
    "UTF-16 code units encoded one by one (CESU-8)",
    ex.utf8Bytes,
    (text) =>
      Array.from(text, (_, i) => text.charCodeAt(i)).flatMap((u) =>
        solutions.utf8ByteValues(String.fromCharCode(u >= 0xd800 && u < 0xe000 ? 0xfffd : u))
      ),
  );
  await proveCaught("pairs counted once per word, not per occurrence", ex.mergesUntilToken, (
    wordCounts,
    word,
  ) => solutions.mergesUntilToken(new Map([...wordCounts].map(([w]) => [w, 1])), word));
  await proveCaught("ties to the alphabetically last pair", ex.mergesUntilToken, (
    wordCounts,
    word,
  ) => {
    // the letters mirrored (a ↔ z), so the solution's rule takes the alphabetically last pair
    const mirrored = (w: string) =>
      Array.from(w, (c) => String.fromCharCode(219 - c.charCodeAt(0)));
    const mirror = new Map([...wordCounts].map(([w, n]) => [mirrored(w).join(""), n]));
    return solutions.mergesUntilToken(mirror, mirrored(word).join(""));
  });
  await proveCaught("the longest token first, from the left", ex.encodeChunk, longestFirst);
  await proveCaught("merges only: a chunk that is a token not kept whole", ex.encodeChunk, (
    chunk,
    vocabulary,
  ) => {
    const idOf = new Map(vocabulary.map((token, id) => [token, id]));
    let symbols = [...chunk];
    for (;;) {
      const ids = symbols.slice(1).map((s, i) => idOf.get(symbols[i] + s) ?? Infinity);
      const at = ids.indexOf(Math.min(...ids));
      if (at < 0 || ids[at] === Infinity) return symbols;
      symbols = [...symbols.slice(0, at), symbols[at] + symbols[at + 1], ...symbols.slice(at + 2)];
    }
  });
  await proveCaught("the leftmost pair that forms a token", ex.encodeChunk, (chunk, vocabulary) => {
    const tokens = new Set(vocabulary);
    let symbols = [...chunk];
    for (;;) {
      const at = symbols.findIndex((s, i) =>
        i + 1 < symbols.length && tokens.has(s + symbols[i + 1])
      );
      if (at < 0) return symbols;
      symbols = [...symbols.slice(0, at), symbols[at] + symbols[at + 1], ...symbols.slice(at + 2)];
    }
  });
});

Deno.test("lesson 1's committed run shows every exercise not done (the notebook holds stubs, not solutions)", async () => {
  await proveNotebookStubs("01_tokenization.ipynb", TOKENIZATION_EXERCISES);
});
