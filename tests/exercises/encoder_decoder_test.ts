import * as tf from "@tensorflow/tfjs";
import { assertEquals } from "../assert.ts";
import {
  BEAM_TOY_TABLE,
  editDistance,
  ENCODER_DECODER_EXERCISES,
  errorRates,
  initCourse,
  yourTurn,
} from "../../src/mod.ts";
import { proveCaught, proveChecks, proveNotebookStubs } from "./prove.ts";
import * as solutions from "../../solutions/09_encoder_decoder.ts";

await initCourse();

Deno.test("lesson 9's exercises: every check passes on the solution, fails on a wrong answer, and a stub is not done", async () => {
  const before = tf.memory().numTensors;
  const ex = ENCODER_DECODER_EXERCISES;
  await proveChecks(
    "teacherForcing",
    ex.teacherForcing,
    solutions.teacherForcingRows,
    (targets, ids) => { // in and out swapped
      const { targetIn, targetOut } = solutions.teacherForcingRows(targets, ids);
      return { targetIn: targetOut, targetOut: targetIn };
    },
    () => yourTurn("teacherForcingRows"),
  );
  await proveChecks(
    "errorRates",
    ex.errorRates,
    solutions.errorRatesByHand,
    (predicted, reference) => { // each rate off by 0.5
      const right = errorRates(predicted, reference);
      return {
        tokenErrorRate: right.tokenErrorRate + 0.5,
        sequenceErrorRate: right.sequenceErrorRate + 0.5,
      };
    },
    () => yourTurn("errorRatesByHand"),
  );
  await proveChecks(
    "editDistance",
    ex.editDistance,
    solutions.editDistanceByHand,
    (a, b) => editDistance(a, b) + 1,
    () => yourTurn("editDistanceByHand"),
  );
  await proveChecks(
    "beamSearch",
    ex.beamSearch,
    solutions.beamSearchByHand,
    (next, options) => [...solutions.beamSearchByHand(next, options), options.endId], // <end> kept
    () => yourTurn("beamSearchByHand"),
  );
  // Typical mistakes, each caught by some check:
  await proveCaught(
    "padding with <end>",
    ex.teacherForcing,
    (targets, ids) => solutions.teacherForcingRows(targets, { ...ids, padId: ids.endId }),
  );
  await proveCaught(
    "padding to the longest target, one short",
    ex.teacherForcing,
    (targets, ids) => {
      const { targetIn, targetOut } = solutions.teacherForcingRows(targets, ids);
      const width = Math.max(...targets.map((t) => t.length));
      const trim = (rows: number[][]) => rows.map((r) => r.slice(0, Math.max(width, 1)));
      return { targetIn: trim(targetIn), targetOut: trim(targetOut) };
    },
  );
  await proveCaught(
    "PER as the mean of each word's rate",
    ex.errorRates,
    (predicted, reference) => ({
      tokenErrorRate: predicted.reduce(
        (s, p, i) => s + editDistance(p, reference[i]) / reference[i].length,
        0,
      ) / predicted.length,
      sequenceErrorRate: errorRates(predicted, reference).sequenceErrorRate,
    }),
  );
  await proveCaught("PER over the predicted phonemes", ex.errorRates, (predicted, reference) => ({
    tokenErrorRate: errorRates(predicted, reference).tokenErrorRate *
      reference.flat().length / Math.max(1, predicted.flat().length),
    sequenceErrorRate: errorRates(predicted, reference).sequenceErrorRate,
  }));
  await proveCaught(
    "counting mismatched positions (and the difference in length)",
    ex.editDistance,
    (a, b) =>
      Math.abs(a.length - b.length) +
      a.slice(0, b.length).filter((x, i) => x !== b[i]).length,
  );
  await proveCaught(
    "greedy decoding, whatever k",
    ex.beamSearch,
    (next, options) => solutions.beamSearchByHand(next, { ...options, beamWidth: 1 }),
  );
  await proveCaught(
    "no length normalisation",
    ex.beamSearch,
    (next, options) => solutions.beamSearchByHand(next, { ...options, lengthPenalty: 0 }),
  );
  await proveCaught(
    "each beam proposing only its likeliest next token",
    ex.beamSearch,
    (next, options) => {
      const onlyBest: typeof next = (prefix) => {
        const row = next(prefix);
        const best = row.indexOf(Math.max(...row));
        return row.map((lp, v) => (v === best ? lp : -1e9));
      };
      return solutions.beamSearchByHand(onlyBest, options);
    },
  );
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("lesson 9's toy table: greedy writes A A, two beams find B", () => {
  const toy = { startId: 3, endId: 0, maxLength: 5 };
  assertEquals(solutions.beamSearchByHand(BEAM_TOY_TABLE, { ...toy, beamWidth: 1 }), [1, 1]);
  assertEquals(solutions.beamSearchByHand(BEAM_TOY_TABLE, { ...toy, beamWidth: 2 }), [2]);
});

Deno.test("lesson 9's committed run shows every exercise not done (the notebook holds stubs, not solutions)", async () => {
  await proveNotebookStubs("09_encoder_decoder.ipynb", ENCODER_DECODER_EXERCISES);
});
