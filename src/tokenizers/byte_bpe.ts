/**
 * Byte-level BPE, as in GPT-2: BPE over the UTF-8 bytes of the text instead of its characters.
 *
 * The 256 possible bytes are the base vocabulary, so any text at all can be encoded — emoji,
 * Chinese, characters never seen in training — with no unknown token. GPT-2 adds a chunking
 * pattern that splits off English contractions ("'s", "'re", …), and ships its 50,000 learned
 * merges; {@link ByteBpeTokenizer.gpt2} loads them (from the `js-tiktoken` npm package, which
 * carries GPT-2's ranks as data) and reproduces GPT-2's token ids exactly.
 *
 * @module
 */
import { BpeTokenizer, type BpeTrainOptions, learnBpeVocabulary } from "./bpe.ts";
import { base64ToBytes, bytesToBase64, showBytes, utf8Bytes, utf8Text } from "./bytes.ts";

/** GPT-2's end-of-text token. */
export const END_OF_TEXT = "<|endoftext|>";

/** All 256 bytes, as one-character byte strings. */
const ALL_BYTES = Array.from({ length: 256 }, (_, b) => String.fromCharCode(b));

/**
 * A byte-level BPE tokenizer. Tokens are byte strings (see `bytes.ts`); `tokenText` shows them
 * readably, with "␣" for a space.
 */
export class ByteBpeTokenizer extends BpeTokenizer {
  /** Saved-file type. */
  override readonly type: string = "byte-bpe";

  /** Learn byte-level merges from `text` until the vocabulary has `vocabSize` tokens. */
  static override train(
    text: string,
    vocabSize: number,
    options: BpeTrainOptions = {},
  ): ByteBpeTokenizer {
    const pattern = options.pattern ?? GPT2_PATTERN;
    const vocabulary = learnBpeVocabulary(text, vocabSize, options, {
      pattern,
      symbolsOf: (chunk) => Array.from(utf8Bytes(chunk)),
      baseVocabulary: ALL_BYTES,
    });
    return new ByteBpeTokenizer(vocabulary, { ...options, pattern });
  }

  /** GPT-2's tokenizer: 50,257 tokens (50,256 byte sequences and `<|endoftext|>`). */
  static async gpt2(): Promise<ByteBpeTokenizer> {
    const { default: ranks } = await import("js-tiktoken/ranks/gpt2");
    const tokens: string[] = [];
    for (const line of ranks.bpe_ranks.split("\n")) {
      if (line === "") continue;
      // Each line: a marker, the rank of the first token, then consecutive tokens in base64.
      const [, offset, ...encoded] = line.split(" ");
      encoded.forEach((base64, i) => (tokens[Number(offset) + i] = base64ToBytes(base64)));
    }
    const special = Object.entries(ranks.special_tokens).sort((a, b) => a[1] - b[1]);
    special.forEach(([name, id], i) => {
      if (id !== tokens.length + i) {
        throw new Error(`GPT-2 special token ${name} has id ${id}, expected ${tokens.length + i}`);
      }
    });
    return new ByteBpeTokenizer(tokens, {
      special: special.map(([name]) => name),
      pattern: new RegExp(ranks.pat_str, "gu"),
    });
  }

  /** A chunk's UTF-8 bytes, merged (the base class sees a byte string: one symbol per byte). */
  protected override encodeChunk(chunk: string): number[] {
    return super.encodeChunk(utf8Bytes(chunk));
  }

  /** Tokens' bytes joined, decoded as UTF-8 (special tokens as their text). */
  protected override decodeIds(ids: readonly number[]): string {
    let out = "";
    let bytes = "";
    for (const id of ids) {
      if (this.isSpecial(id)) {
        out += utf8Text(bytes) + this.tokens[id];
        bytes = "";
      } else {
        bytes += this.tokens[id];
      }
    }
    return out + utf8Text(bytes);
  }

  /** A token's bytes, readably. */
  override tokenText(id: number): string {
    const text = super.tokenText(id);
    return this.isSpecial(id) ? text : showBytes(text);
  }

  /** Byte strings are saved in base64. */
  protected override serializedTokens(): string[] {
    return super.serializedTokens().map(bytesToBase64);
  }
}

/** GPT-2's chunking pattern: contractions, words, numbers, other marks, whitespace. */
export const GPT2_PATTERN: RegExp =
  /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;
