/**
 * Lesson 9's model at work: spell a word, read its pronunciation, and score pronunciations
 * against the dictionary.
 *
 * @module
 */
import { type ErrorRates, errorRates } from "../metrics/edit_distance.ts";
import type { EncoderDecoder } from "../models/encoder_decoder.ts";
import type { SymbolVocabulary } from "../tokenizers/symbol_vocabulary.ts";
import { beamSearchMany, greedyDecode } from "./seq2seq_decode.ts";

/** The vocabularies of a grapheme-to-phoneme model. */
export interface G2PVocabularies {
  /** Source symbols: letters. */
  letters: SymbolVocabulary;
  /** Target symbols: phonemes. */
  phonemes: SymbolVocabulary;
}

/** Settings of {@link pronounce}. */
export interface PronounceOptions {
  /** 1 (default) decodes greedily; k > 1 runs beam search with k beams per word. */
  beamWidth?: number;
  /** Words decoded together (default 500 greedy, 125 with beams). */
  chunk?: number;
}

/** The phonemes the model writes for each of `words` (letters A–Z and the apostrophe). */
export function pronounce(
  model: EncoderDecoder,
  vocab: G2PVocabularies,
  words: readonly string[],
  options: PronounceOptions = {},
): string[][] {
  const sources = words.map((w) => vocab.letters.encode([...w.toUpperCase()]));
  const decoding = {
    startId: vocab.phonemes.startId,
    endId: vocab.phonemes.endId,
    maxLength: model.config.maxLength - 1,
  };
  const beamWidth = options.beamWidth ?? 1;
  const decode = (part: number[][]) =>
    beamWidth > 1
      ? beamSearchMany(model, part, { ...decoding, beamWidth })
      : greedyDecode(model, part, decoding);
  const chunk = options.chunk ?? Math.ceil(500 / beamWidth);
  const out: string[][] = [];
  for (let i = 0; i < sources.length; i += chunk) {
    for (const ids of decode(sources.slice(i, i + chunk))) out.push(vocab.phonemes.decode(ids));
  }
  return out;
}

/** Phoneme error rate (PER) and word error rate (WER) of the model on `examples`. */
export function pronunciationErrorRates(
  model: EncoderDecoder,
  vocab: G2PVocabularies,
  examples: readonly { word: string; phonemes: readonly string[] }[],
  options: PronounceOptions = {},
): ErrorRates {
  const predicted = pronounce(model, vocab, examples.map((e) => e.word), options);
  return errorRates(predicted, examples.map((e) => e.phonemes));
}
