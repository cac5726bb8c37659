/**
 * Decoding with an encoder-decoder: the encoder runs once, the decoder writes one token at a
 * time until `<end>`.
 *
 * - **greedy**: at each step the most likely token (many sources at once);
 * - **beam search**: keep the `k` best partial outputs at each step, scored by their total log
 *   probability divided by (length)^α, so that longer outputs are not penalised merely for
 *   having more factors below 1. With `k = 1` it is greedy decoding. Many sources can be
 *   searched together, one decoder pass per step for all their beams. The search itself,
 *   {@link beamSearchOver}, takes any scorer of the next token: a model, or a table by hand.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Encoded, EncoderDecoder } from "../models/encoder_decoder.ts";
import {
  requireId,
  requireIds,
  requireInRange,
  requireNonNegativeInteger,
  requirePositiveInteger,
} from "../runtime/checks.ts";
import { padRows } from "../training/seq2seq_batches.ts";

/** Settings of decoding. */
export interface Seq2SeqDecodeOptions {
  /** `<start>` id. */
  startId: number;
  /** `<end>` id. */
  endId: number;
  /** Most tokens to write (without `<start>`); at most the model's `maxLength`. */
  maxLength: number;
}

/**
 * Check what decoding is given, before any work: at least one source, each a non-empty row of
 * source ids, and `<start>`, `<end>` and `maxLength` that fit the model. Names the first problem.
 */
function checkDecoding(
  model: EncoderDecoder,
  sources: readonly (readonly number[])[],
  options: Seq2SeqDecodeOptions,
): void {
  const { sourceVocabSize, targetVocabSize, maxLength } = model.config;
  if (sources.length === 0) throw new RangeError("decoding needs at least one source, got none");
  sources.forEach((source, i) => {
    if (source.length === 0) {
      throw new RangeError(`source ${i} is empty: a source needs at least one token`);
    }
    requireIds(`source ${i}: token`, source, sourceVocabSize);
  });
  requireId("startId", options.startId, targetVocabSize);
  requireId("endId", options.endId, targetVocabSize);
  requireNonNegativeInteger("maxLength", options.maxLength);
  if (options.maxLength > maxLength) {
    throw new RangeError(
      `maxLength ${options.maxLength} is more than the model's maxLength ${maxLength} ` +
        "(the decoder reads <start> and at most maxLength − 1 written tokens)",
    );
  }
}

/** Settings of {@link beamSearch}. */
export interface BeamOptions extends Seq2SeqDecodeOptions {
  /** Beam width k. */
  beamWidth: number;
  /** Length normalisation exponent α (default 1; 0 turns it off). */
  lengthPenalty?: number;
}

/** Log-probabilities of the next token after each row's last real position: `(B, V)` as arrays. */
function nextLogProbs(
  model: EncoderDecoder,
  prefixes: readonly (readonly number[])[],
  encoded: Encoded,
): Float32Array[] {
  // The tensor leaves tf.tidy and is read outside: tidy would walk a returned array number by number.
  const logProbs = tf.tidy(() => {
    const ids = tf.tensor2d(padRows(prefixes, model.config.padId), undefined, "int32");
    return tf.logSoftmax(model.decode(ids, encoded)); // (B, T, V)
  });
  const [, T, V] = logProbs.shape;
  const all = logProbs.dataSync() as Float32Array;
  logProbs.dispose();
  return prefixes.map((p, b) => all.slice((b * T + p.length - 1) * V, (b * T + p.length) * V));
}

/** Greedy decoding of every source at once; each output without `<start>` and `<end>`. */
export function greedyDecode(
  model: EncoderDecoder,
  sources: readonly (readonly number[])[],
  options: Seq2SeqDecodeOptions,
): number[][] {
  checkDecoding(model, sources, options);
  const encoded = tf.tidy(() =>
    model.encode(tf.tensor2d(padRows(sources, model.config.padId), undefined, "int32"))
  );
  try {
    const outputs = sources.map(() => [options.startId]);
    const done = sources.map(() => false);
    for (let step = 0; step < options.maxLength && done.includes(false); step++) {
      const logProbs = nextLogProbs(model, outputs, encoded);
      logProbs.forEach((row, b) => {
        if (done[b]) return;
        let best = 0;
        for (let v = 1; v < row.length; v++) if (row[v] > row[best]) best = v;
        if (best === options.endId) done[b] = true;
        else outputs[b].push(best);
      });
    }
    return outputs.map((o) => o.slice(1));
  } finally {
    tf.dispose([encoded.memory, encoded.memoryMask]);
  }
}

interface Hypothesis {
  tokens: number[]; // starts with <start>
  logProb: number;
  done: boolean;
}

/**
 * A comparator for a sort from the highest to the lowest, with ties (−∞ against −∞ too, a
 * probability of 0 in a table by hand) left in their order.
 */
function descending(x: number, y: number): number {
  return x > y ? -1 : x < y ? 1 : 0;
}

/** A beam still writing, as {@link beamSearchOver} hands it to its scorer. */
export interface LiveBeam {
  /** The index of the source it belongs to. */
  source: number;
  /** Its tokens so far, `<start>` first. */
  tokens: readonly number[];
}

/**
 * Log-probabilities of the next token for each beam still writing, a row of the target
 * vocabulary's size per beam, in the order given.
 */
export type NextLogProbs = (beams: readonly LiveBeam[]) => readonly ArrayLike<number>[];

/** Beam search for one source; the best output without `<start>` and `<end>`. */
export function beamSearch(
  model: EncoderDecoder,
  source: readonly number[],
  options: BeamOptions,
): number[] {
  return beamSearchMany(model, [source], options)[0];
}

/** Throw unless the beam width is a positive integer and the length penalty a finite number. */
function checkBeamOptions(options: BeamOptions): void {
  requirePositiveInteger("beamWidth", options.beamWidth);
  requireInRange("lengthPenalty", options.lengthPenalty ?? 1, -Infinity, Infinity, "()");
}

/**
 * Beam search for many sources at once: every source keeps its own k beams, but each step
 * runs the decoder once over the beams of all sources together. Outputs are without
 * `<start>` and `<end>`, in the order of `sources`.
 */
export function beamSearchMany(
  model: EncoderDecoder,
  sources: readonly (readonly number[])[],
  options: BeamOptions,
): number[][] {
  checkDecoding(model, sources, options);
  checkBeamOptions(options);
  const all = tf.tidy(() =>
    model.encode(tf.tensor2d(padRows(sources, model.config.padId), undefined, "int32"))
  );
  try {
    return beamSearchOver(sources.length, (alive) => {
      // Each beam reads the memory of its own source.
      const encoded = tf.tidy(() => {
        const rows = tf.tensor1d(alive.map((a) => a.source), "int32");
        return {
          memory: tf.gather(all.memory, rows) as tf.Tensor3D,
          memoryMask: tf.gather(all.memoryMask, rows) as tf.Tensor4D,
        };
      });
      try {
        return nextLogProbs(model, alive.map((a) => a.tokens), encoded);
      } finally {
        tf.dispose([encoded.memory, encoded.memoryMask]);
      }
    }, options);
  } finally {
    tf.dispose([all.memory, all.memoryMask]);
  }
}

/**
 * The search behind {@link beamSearchMany}, with the model replaced by `next`, which scores the
 * next token of every beam still writing (a table of log-probabilities will do, for a search
 * by hand). Each source starts from `<start>`; at each step every beam still writing proposes
 * its k likeliest next tokens, finished beams stay and compete, and the k best by
 * {@link BeamOptions.lengthPenalty | length-normalised} score are kept; the search stops when
 * every beam has written `<end>` or after `maxLength` steps. Returns each source's best output,
 * without `<start>` and `<end>`.
 */
export function beamSearchOver(
  sourceCount: number,
  next: NextLogProbs,
  options: BeamOptions,
): number[][] {
  requirePositiveInteger("sourceCount", sourceCount);
  requireNonNegativeInteger("startId", options.startId);
  requireNonNegativeInteger("endId", options.endId);
  requireNonNegativeInteger("maxLength", options.maxLength);
  checkBeamOptions(options);
  const k = options.beamWidth;
  const alpha = options.lengthPenalty ?? 1;
  const score = (h: Hypothesis) => h.logProb / Math.pow(Math.max(1, h.tokens.length - 1), alpha);
  let beams: Hypothesis[][] = Array.from({ length: sourceCount }, () => [
    { tokens: [options.startId], logProb: 0, done: false },
  ]);
  for (let step = 0; step < options.maxLength; step++) {
    // The beams still writing, with the source each belongs to.
    const alive = beams.flatMap((bs, s) => bs.filter((b) => !b.done).map((beam) => ({ s, beam })));
    if (alive.length === 0) break;
    const logProbs = next(alive.map(({ s, beam }) => ({ source: s, tokens: beam.tokens })));
    if (logProbs.length !== alive.length) {
      throw new RangeError(
        `the scorer gave ${logProbs.length} rows for ${alive.length} beams: one row per beam`,
      );
    }
    const candidates: Hypothesis[][] = beams.map((bs) => bs.filter((b) => b.done));
    alive.forEach(({ s, beam }, i) => {
      const row = logProbs[i];
      // Only a beam's k best continuations can make its source's overall top k.
      const order = Array.from({ length: row.length }, (_, v) => v)
        .sort((a, b) => descending(row[a], row[b]))
        .slice(0, k);
      for (const v of order) {
        candidates[s].push({
          tokens: [...beam.tokens, v],
          logProb: beam.logProb + row[v],
          done: v === options.endId,
        });
      }
    });
    beams = candidates.map((c) => c.sort((a, b) => descending(score(a), score(b))).slice(0, k));
  }
  return beams.map((bs) => {
    const best = bs.sort((a, b) => descending(score(a), score(b)))[0];
    const tokens = best.tokens.slice(1);
    return best.done ? tokens.slice(0, -1) : tokens;
  });
}
