/**
 * Decoding with an encoder-decoder: the encoder runs once, the decoder writes one token at a
 * time until `<end>`.
 *
 * - **greedy**: at each step the most likely token (many sources at once);
 * - **beam search**: keep the `k` best partial outputs at each step, scored by their total log
 *   probability divided by (length)^α, so that longer outputs are not penalised merely for
 *   having more factors below 1. With `k = 1` it is greedy decoding. Many sources can be
 *   searched together, one decoder pass per step for all their beams.
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
  prefixes: number[][],
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

/** Beam search for one source; the best output without `<start>` and `<end>`. */
export function beamSearch(
  model: EncoderDecoder,
  source: readonly number[],
  options: BeamOptions,
): number[] {
  return beamSearchMany(model, [source], options)[0];
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
  const k = options.beamWidth;
  requirePositiveInteger("beamWidth", k);
  const alpha = options.lengthPenalty ?? 1;
  requireInRange("lengthPenalty", alpha, -Infinity, Infinity, "()");
  const score = (h: Hypothesis) => h.logProb / Math.pow(Math.max(1, h.tokens.length - 1), alpha);
  const all = tf.tidy(() =>
    model.encode(tf.tensor2d(padRows(sources, model.config.padId), undefined, "int32"))
  );
  try {
    let beams: Hypothesis[][] = sources.map(() => [
      { tokens: [options.startId], logProb: 0, done: false },
    ]);
    for (let step = 0; step < options.maxLength; step++) {
      // The beams still writing, with the source each belongs to.
      const alive = beams.flatMap((bs, s) =>
        bs.filter((b) => !b.done).map((beam) => ({ s, beam }))
      );
      if (alive.length === 0) break;
      const encoded = tf.tidy(() => {
        const rows = tf.tensor1d(alive.map((a) => a.s), "int32");
        return {
          memory: tf.gather(all.memory, rows) as tf.Tensor3D,
          memoryMask: tf.gather(all.memoryMask, rows) as tf.Tensor4D,
        };
      });
      let logProbs: Float32Array[];
      try {
        logProbs = nextLogProbs(model, alive.map((a) => a.beam.tokens), encoded);
      } finally {
        tf.dispose([encoded.memory, encoded.memoryMask]);
      }
      const candidates: Hypothesis[][] = beams.map((bs) => bs.filter((b) => b.done));
      alive.forEach(({ s, beam }, i) => {
        const row = logProbs[i];
        // Only a beam's k best continuations can make its source's overall top k.
        const order = Array.from(row.keys()).sort((a, b) => row[b] - row[a]).slice(0, k);
        for (const v of order) {
          candidates[s].push({
            tokens: [...beam.tokens, v],
            logProb: beam.logProb + row[v],
            done: v === options.endId,
          });
        }
      });
      beams = candidates.map((c) => c.sort((a, b) => score(b) - score(a)).slice(0, k));
    }
    return beams.map((bs) => {
      const best = bs.sort((a, b) => score(b) - score(a))[0];
      const tokens = best.tokens.slice(1);
      return best.done ? tokens.slice(0, -1) : tokens;
    });
  } finally {
    tf.dispose([all.memory, all.memoryMask]);
  }
}
