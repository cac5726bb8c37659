/**
 * A vocabulary of whole symbols, for sequences that come already split: the letters of a word,
 * the ARPAbet phonemes of its pronunciation. No text is parsed; each symbol is one id.
 *
 * Ids 0, 1, 2 are `<pad>`, `<start>` and `<end>`, the three special tokens an encoder-decoder
 * needs, so padding is id 0 in every vocabulary (the models' default `padId`).
 *
 * @module
 */

/** Padding, id 0. */
export const PAD = "<pad>";
/** The decoder's first input, id 1. */
export const START = "<start>";
/** The decoder's last output, id 2. */
export const END = "<end>";

/** Symbols ↔ ids, with `<pad>`, `<start>`, `<end>` first. */
export class SymbolVocabulary {
  /** Every symbol in id order, the three specials first. */
  readonly symbols: readonly string[];
  readonly #ids: Map<string, number>;

  /** @param symbols the ordinary symbols in id order (distinct; they get ids 3, 4, …) */
  constructor(symbols: readonly string[]) {
    this.symbols = [PAD, START, END, ...symbols];
    this.#ids = new Map();
    this.symbols.forEach((symbol, id) => {
      if (this.#ids.has(symbol)) {
        throw new Error(
          `symbol ${JSON.stringify(symbol)} appears twice (ids ${this.#ids.get(symbol)} and ${id})`,
        );
      }
      this.#ids.set(symbol, id);
    });
  }

  /** The distinct symbols of `sequences`, sorted. */
  static fromSequences(sequences: Iterable<readonly string[]>): SymbolVocabulary {
    const seen = new Set<string>();
    for (const sequence of sequences) for (const symbol of sequence) seen.add(symbol);
    return new SymbolVocabulary([...seen].sort());
  }

  /** Number of ids (specials included). */
  get size(): number {
    return this.symbols.length;
  }

  /** Id of `<pad>` (0). */
  get padId(): number {
    return 0;
  }

  /** Id of `<start>` (1). */
  get startId(): number {
    return 1;
  }

  /** Id of `<end>` (2). */
  get endId(): number {
    return 2;
  }

  /** Ids of `symbols`; an unknown symbol is an error that names it. */
  encode(symbols: readonly string[]): number[] {
    return symbols.map((symbol) => {
      const id = this.#ids.get(symbol);
      if (id === undefined || id < 3) {
        throw new RangeError(
          `${JSON.stringify(symbol)} is not in the vocabulary (${this.size - 3} symbols: ${
            this.symbols.slice(3, 13).join(" ")
          } …)`,
        );
      }
      return id;
    });
  }

  /** Symbols of `ids`, specials left out. */
  decode(ids: readonly number[]): string[] {
    return ids.filter((id) => id > 2).map((id) => {
      const symbol = this.symbols[id];
      if (symbol === undefined) {
        throw new RangeError(`id ${id} is outside the vocabulary (size ${this.size})`);
      }
      return symbol;
    });
  }

  /** The ordinary symbols, for saving (`new SymbolVocabulary(v.toJSON())` rebuilds it). */
  toJSON(): string[] {
    return this.symbols.slice(3);
  }
}
