/**
 * Loading a saved tokenizer of any kind (see `Tokenizer.save`), with checks that say what is
 * wrong with a malformed file.
 *
 * @module
 */
import { BpeTokenizer } from "./bpe.ts";
import { ByteBpeTokenizer } from "./byte_bpe.ts";
import { base64ToBytes } from "./bytes.ts";
import { CharTokenizer } from "./char.ts";
import type { Tokenizer } from "./tokenizer.ts";
import { WordTokenizer } from "./word.ts";
import { WordPieceTokenizer } from "./wordpiece.ts";

/** Rebuild a tokenizer from its JSON form; throws an error naming the first problem found. */
export function tokenizerFromJSON(json: unknown): Tokenizer {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new Error("a tokenizer file must hold a JSON object");
  }
  const data = json as Record<string, unknown>;
  if (data.format !== "course-tokenizer") {
    throw new Error(
      `not a course tokenizer: "format" is ${
        JSON.stringify(data.format)
      }, expected "course-tokenizer"`,
    );
  }
  if (data.version !== 1) {
    throw new Error(`unsupported tokenizer version ${JSON.stringify(data.version)}, expected 1`);
  }
  const tokens = data.tokens;
  if (!Array.isArray(tokens) || !tokens.every((t) => typeof t === "string")) {
    throw new Error('"tokens" must be an array of strings');
  }
  const special = data.special ?? {};
  if (typeof special !== "object" || special === null || Array.isArray(special)) {
    throw new Error('"special" must be an object of token → id');
  }
  const specials = Object.entries(special as Record<string, unknown>).sort((a, b) =>
    Number(a[1]) - Number(b[1])
  );
  specials.forEach(([name, id], i) => {
    if (id !== tokens.length + i) {
      throw new Error(
        `special token ${JSON.stringify(name)} has id ${JSON.stringify(id)}, expected ${
          tokens.length + i
        } (they follow the ${tokens.length} tokens)`,
      );
    }
  });
  const names = specials.map(([name]) => name);
  const options = (data.options ?? {}) as Record<string, unknown>;
  const pattern = () => {
    if (typeof options.pattern !== "string") {
      throw new Error('"options.pattern" must be a regular expression source');
    }
    return new RegExp(options.pattern, "gu");
  };
  switch (data.type) {
    case "char":
      return new CharTokenizer(tokens, names);
    case "word":
      return new WordTokenizer(tokens, names);
    case "bpe":
      return new BpeTokenizer(tokens, { special: names, pattern: pattern() });
    case "byte-bpe": {
      const bytes = tokens.map((t, i) => {
        try {
          return base64ToBytes(t);
        } catch {
          throw new Error(`token ${i} is not valid base64: ${JSON.stringify(t)}`);
        }
      });
      return new ByteBpeTokenizer(bytes, { special: names, pattern: pattern() });
    }
    case "wordpiece":
      return new WordPieceTokenizer(tokens, {
        special: names,
        lowercase: options.lowercase !== false,
      });
    default:
      throw new Error(
        `unknown tokenizer type ${
          JSON.stringify(data.type)
        }; expected char, word, bpe, byte-bpe or wordpiece`,
      );
  }
}

/** Load a tokenizer saved with `save(path)`. */
export async function loadTokenizer(path: string): Promise<Tokenizer> {
  const text = await Deno.readTextFile(path);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `${path} is not valid JSON (truncated or corrupted?): ${(error as Error).message}`,
    );
  }
  try {
    return tokenizerFromJSON(json);
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`);
  }
}
