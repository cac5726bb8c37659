/**
 * The recipe of lesson 9 (`notebooks/09_encoder_decoder.ipynb`), checkpoint `data/g2p.ckpt`,
 * made by `deno task train:g2p`: grapheme-to-phoneme conversion on CMUdict — the letters of a
 * word in, its ARPAbet phonemes out ("CAT" → K AE1 T). How the settings were chosen is in
 * `data/NOTES.md`.
 *
 * @module
 */
import { cmuDictSplit, type Pronunciation } from "../data/cmudict.ts";
import type { EncoderDecoderConfig } from "../models/encoder_decoder.ts";
import { SymbolVocabulary } from "../tokenizers/symbol_vocabulary.ts";
import type { Seq2SeqExample } from "../training/seq2seq_batches.ts";
import type { Seq2SeqTrainingSettings } from "../training/seq2seq_loop.ts";

/** A word and its pronunciation as ids, with the words themselves kept for reading. */
export interface G2PExample extends Seq2SeqExample {
  /** The word, "CAT". */
  word: string;
  /** Its phonemes, ["K", "AE1", "T"]. */
  phonemes: string[];
}

/** The data of lesson 9. */
export interface G2PData {
  /** Letters (A–Z and the apostrophe). */
  letters: SymbolVocabulary;
  /** ARPAbet phonemes with stress digits. */
  phonemes: SymbolVocabulary;
  /** Training pairs. */
  train: G2PExample[];
  /** Every 50th training word, held out for the validation loss. */
  validation: G2PExample[];
  /** Every 10th word of the sorted dictionary: the test set. */
  test: G2PExample[];
}

/** Words of the test set scored in the lesson (the first ones in sorted order). */
export const G2P_TEST_WORDS = 2000;

/**
 * CMUdict as lesson 9 uses it: `cmuDictSplit()`'s rule (main pronunciations of A–Z/apostrophe
 * words, sorted, every 10th word for test); from the rest, every 50th word for validation.
 */
export function g2pData(): G2PData {
  const split = cmuDictSplit();
  const all = [...split.train, ...split.heldOut];
  const letters = SymbolVocabulary.fromSequences(all.map((p) => [...p.word]));
  const phonemes = SymbolVocabulary.fromSequences(all.map((p) => p.phonemes));
  const example = (p: Pronunciation): G2PExample => ({
    word: p.word,
    phonemes: p.phonemes,
    source: letters.encode([...p.word]),
    target: phonemes.encode(p.phonemes),
  });
  const train = split.train.map(example);
  return {
    letters,
    phonemes,
    train: train.filter((_, i) => i % 50 !== 0),
    validation: train.filter((_, i) => i % 50 === 0),
    test: split.heldOut.map(example),
  };
}

/** The model: about 250,000 parameters, the original transformer's post-norm order. */
export function g2pConfig(data: Pick<G2PData, "letters" | "phonemes">): EncoderDecoderConfig {
  return {
    sourceVocabSize: data.letters.size,
    targetVocabSize: data.phonemes.size,
    maxLength: 40, // the longest word has 34 letters, the longest pronunciation 32 phonemes
    dModel: 64,
    numHeads: 4,
    encoderLayers: 2, // 3 encoder blocks were 16 % dearer a step for no gain
    decoderLayers: 2,
    normPlacement: "post", // two blocks a side need no clean residual path; post learned faster
    initStd: 0.05, // 0.02 (GPT-2's, for rows of 768) shrinks rows of 64; 0.05 scored best
  };
}

/** Training: about 7 passes over the training words, both cores (see `data/NOTES.md`). */
export const G2P_TRAINING: Seq2SeqTrainingSettings = {
  steps: 6000, // 7,000 scored hardly better: the 64-wide model is near what it can learn
  batchSize: 128, // twice 64 costs 1.4 times as much a step on two threads, and learns more
  // A larger batch takes a longer step (5.5e-3 beat 4e-3); the straight line beat the cosine.
  schedule: { max: 5.5e-3, min: 5e-5, warmup: 500, total: 6000, decay: "linear" },
  clipNorm: 1,
  optimizer: { beta1: 0.9, beta2: 0.98, weightDecay: 0.01 }, // decay 0.1 was no better
  labelSmoothing: 0.1, // 0 gave the lowest loss but the most errors: smoothing buys choices
  evalEvery: 500,
  shards: 2, // each step's 128 words split over two threads
  fusedKernels: false, // attention and cross-entropy by their formulas, as the checkpoint was trained
};

/** The seed of the shipped run. */
export const G2P_SEED = 2024;
