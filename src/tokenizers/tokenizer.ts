/**
 * The common shape of every tokenizer in the course, and what they all share: a vocabulary
 * (id ↔ token), special tokens, and saving to / loading from JSON.
 *
 * Each subclass adds one idea: characters ({@link CharTokenizer}), words, learned merges (BPE),
 * bytes with GPT-2's rules, WordPiece. A subclass says how ordinary text becomes ids
 * (`encodeOrdinary`) and how ids become text again (`decodeIds`).
 *
 * @module
 */

/** What to do with special-token text (e.g. "<|endoftext|>") found in the text to encode. */
export type SpecialMode =
  /** Encode it as the special token (one id). Use for text you built yourself. */
  | "allow"
  /** Throw an error naming it (the default): user text cannot smuggle in control tokens. */
  | "forbid"
  /** Encode it like any other text, character by character. */
  | "as-text";

/** Options of {@link Tokenizer.encode}. */
export interface EncodeOptions {
  /** Special tokens in the text: see {@link SpecialMode}. Default "forbid". */
  special?: SpecialMode;
}

/** The JSON form of a tokenizer, as `save()` writes it. */
export interface TokenizerJSON {
  /** Always "course-tokenizer". */
  format: "course-tokenizer";
  /** Format version (1). */
  version: 1;
  /** Which class: "char", "word", "bpe", "byte-bpe", "wordpiece". */
  type: string;
  /** The vocabulary, ordered by id (special tokens excluded). */
  tokens: string[];
  /** Special tokens and their ids. */
  special: Record<string, number>;
  /** Settings of the subclass. */
  options?: Record<string, unknown>;
}

/** Base class of the course's tokenizers. */
export abstract class Tokenizer {
  /** Name of the kind of tokenizer, used in saved files. */
  abstract readonly type: string;

  /** Token text of each id (special tokens included). */
  protected readonly tokens: string[];
  /** Id of each ordinary token. */
  protected readonly ids: Map<string, number>;
  /** Special tokens and their ids. */
  readonly specialTokens: ReadonlyMap<string, number>;
  #specialPattern: RegExp | undefined;

  /**
   * @param tokens the ordinary vocabulary, in id order (must be distinct)
   * @param special special tokens to add after it, in order; they get the next ids
   */
  constructor(tokens: readonly string[], special: readonly string[] = []) {
    this.tokens = [...tokens];
    this.ids = new Map();
    tokens.forEach((token, id) => {
      if (this.ids.has(token)) {
        throw new Error(
          `duplicate token ${JSON.stringify(token)} at ids ${this.ids.get(token)} and ${id}`,
        );
      }
      this.ids.set(token, id);
    });
    const specials = new Map<string, number>();
    for (const name of special) {
      if (specials.has(name)) {
        throw new Error(`special token ${JSON.stringify(name)} is listed twice`);
      }
      if (name === "") throw new Error("a special token cannot be empty");
      specials.set(name, this.tokens.length);
      this.tokens.push(name);
    }
    this.specialTokens = specials;
    if (specials.size > 0) {
      // Longest first, so "<|end|>" never shadows "<|endoftext|>".
      const names = [...specials.keys()].sort((a, b) => b.length - a.length);
      this.#specialPattern = new RegExp(names.map(escapeRegExp).join("|"), "g");
    }
  }

  /** Number of ids, special tokens included. */
  get vocabSize(): number {
    return this.tokens.length;
  }

  /** Text → ids. Special-token text is handled as `options.special` says (default: an error). */
  encode(text: string, options: EncodeOptions = {}): number[] {
    const mode = options.special ?? "forbid";
    if (this.#specialPattern === undefined || mode === "as-text") return this.encodeOrdinary(text);
    const ids: number[] = [];
    let start = 0;
    for (const match of text.matchAll(this.#specialPattern)) {
      if (mode === "forbid") {
        throw new Error(
          `the text contains the special token ${
            JSON.stringify(match[0])
          } at index ${match.index}; ` +
            `pass { special: "allow" } to encode it as a special token, or "as-text" to encode it as text`,
        );
      }
      for (const id of this.encodeOrdinary(text.slice(start, match.index))) ids.push(id);
      ids.push(this.specialTokens.get(match[0])!);
      start = match.index + match[0].length;
    }
    for (const id of this.encodeOrdinary(text.slice(start))) ids.push(id);
    return ids;
  }

  /** Ids → text. An id outside the vocabulary is an error naming it. */
  decode(ids: readonly number[]): string {
    for (const [position, id] of ids.entries()) {
      if (!Number.isInteger(id) || id < 0 || id >= this.tokens.length) {
        throw new RangeError(
          `cannot decode id ${id} at position ${position}: ids run from 0 to ${
            this.tokens.length - 1
          }`,
        );
      }
    }
    return this.decodeIds(ids);
  }

  /** The text of one token, readable (for tables and charts). */
  tokenText(id: number): string {
    if (!Number.isInteger(id) || id < 0 || id >= this.tokens.length) {
      throw new RangeError(`no token with id ${id}: ids run from 0 to ${this.tokens.length - 1}`);
    }
    return this.tokens[id];
  }

  /** The id of a token given as its text, or undefined. */
  tokenId(token: string): number | undefined {
    return this.ids.get(token) ?? this.specialTokens.get(token);
  }

  /** Text → the readable tokens it becomes (encode, then {@link tokenText} of each id). */
  tokenize(text: string, options: EncodeOptions = {}): string[] {
    return this.encode(text, options).map((id) => this.tokenText(id));
  }

  /** Whether `id` is a special token. */
  isSpecial(id: number): boolean {
    return id >= this.tokens.length - this.specialTokens.size && id < this.tokens.length;
  }

  /** The JSON form (see {@link TokenizerJSON}). */
  toJSON(): TokenizerJSON {
    const json: TokenizerJSON = {
      format: "course-tokenizer",
      version: 1,
      type: this.type,
      tokens: this.serializedTokens(),
      special: Object.fromEntries(this.specialTokens),
    };
    const options = this.options();
    if (Object.keys(options).length > 0) json.options = options;
    return json;
  }

  /** Write the JSON form to `path`. */
  async save(path: string): Promise<void> {
    await Deno.writeTextFile(path, JSON.stringify(this.toJSON()) + "\n");
  }

  /** Text without special tokens → ids. */
  protected abstract encodeOrdinary(text: string): number[];

  /** Valid ids → text. By default the tokens' texts joined. */
  protected decodeIds(ids: readonly number[]): string {
    return ids.map((id) => this.tokens[id]).join("");
  }

  /** The ordinary tokens as saved (byte-level tokenizers save base64). */
  protected serializedTokens(): string[] {
    return this.tokens.slice(0, this.tokens.length - this.specialTokens.size);
  }

  /** Settings of the subclass to save beside the vocabulary. */
  protected options(): Record<string, unknown> {
    return {};
  }
}

/** Escape text for use inside a regular expression. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
