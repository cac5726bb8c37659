/**
 * Solutions to lesson 9's exercises (`src/exercises/encoder_decoder.ts` checks them; the test
 * suite proves every check passes here and reports "not done" on the notebook's stubs).
 *
 * @module
 */
import type {
  BeamOptions,
  BeamSearchByHand,
  EditDistanceByHand,
  ErrorRatesByHand,
  PrefixLogProbs,
  Seq2SeqIds,
  TeacherForcingRows,
} from "../src/mod.ts";
import { editDistance } from "../src/mod.ts";

/** Exercise 1: `<start>` + target in, target + `<end>` out, padded to the longest plus one. */
export const teacherForcingRows: TeacherForcingRows = (targets: number[][], ids: Seq2SeqIds) => {
  const width = 1 + Math.max(...targets.map((t) => t.length));
  const pad = (row: number[]) => [...row, ...Array(width - row.length).fill(ids.padId)];
  return {
    targetIn: targets.map((t) => pad([ids.startId, ...t])),
    targetOut: targets.map((t) => pad([...t, ids.endId])),
  };
};

/** Exercise 2: all the edits over all the reference phonemes; the share of words with any. */
export const errorRatesByHand: ErrorRatesByHand = (
  predicted: string[][],
  reference: string[][],
) => {
  const distances = predicted.map((p, i) => editDistance(p, reference[i]));
  const edits = distances.reduce((a, b) => a + b, 0);
  const phonemes = reference.reduce((a, r) => a + r.length, 0);
  return {
    tokenErrorRate: edits / phonemes,
    sequenceErrorRate: distances.filter((d) => d > 0).length / predicted.length,
  };
};

/** Exercise 3: the table of distances between every pair of beginnings. */
export const editDistanceByHand: EditDistanceByHand = (a: string[], b: string[]) => {
  const d = Array.from(
    { length: a.length + 1 },
    (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(
        d[i - 1][j] + 1,
        d[i][j - 1] + 1,
        d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
  }
  return d[a.length][b.length];
};

/** A partial output: its tokens (`<start>` first), log-probability, and whether it has ended. */
interface Beam {
  tokens: number[];
  logProb: number;
  done: boolean;
}

/** Exercise 4: k beams, each proposing its k best; finished beams stay and compete. */
export const beamSearchByHand: BeamSearchByHand = (next: PrefixLogProbs, options: BeamOptions) => {
  const k = options.beamWidth;
  const alpha = options.lengthPenalty ?? 1;
  const score = (b: Beam) => b.logProb / Math.max(1, b.tokens.length - 1) ** alpha;
  let beams: Beam[] = [{ tokens: [options.startId], logProb: 0, done: false }];
  for (let step = 0; step < options.maxLength && beams.some((b) => !b.done); step++) {
    const candidates = beams.filter((b) => b.done);
    for (const beam of beams.filter((b) => !b.done)) {
      const row = next(beam.tokens);
      const best = row.map((_, v) => v).sort((x, y) => row[y] - row[x]).slice(0, k);
      for (const v of best) {
        candidates.push({
          tokens: [...beam.tokens, v],
          logProb: beam.logProb + row[v],
          done: v === options.endId,
        });
      }
    }
    beams = candidates.sort((x, y) => score(y) - score(x)).slice(0, k);
  }
  const best = beams.sort((x, y) => score(y) - score(x))[0];
  return best.tokens.slice(1, best.done ? -1 : undefined);
};
