import * as tf from "@tensorflow/tfjs";
import { assertEquals } from "../assert.ts";
import {
  ENCODER_ONLY_EXERCISES,
  initCourse,
  type MaskedSequence,
  type MaskingOptions,
  yourTurn,
} from "../../src/mod.ts";
import { proveCaught, proveChecks, proveNotebookStubs } from "./prove.ts";
import * as solutions from "../../solutions/10_encoder_only.ts";

await initCourse();

/** The argmax at every position of every row: what a model's guesses are. */
const guesses = (logits: number[][][]) =>
  logits.map((row) => row.map((s) => s.indexOf(Math.max(...s))));

Deno.test("lesson 10's exercises: every check passes on the solution, fails on a wrong answer, and a stub is not done", async () => {
  const before = tf.memory().numTensors;
  const ex = ENCODER_ONLY_EXERCISES;
  await proveChecks(
    "maskTokens",
    ex.maskTokens,
    solutions.maskTokens,
    // every position chosen, specials too, all behind [MASK], labels from the input
    (ids: readonly number[], options: MaskingOptions): MaskedSequence => {
      const positions = ids.map((_, t) => t);
      const input = ids.map(() => options.maskId);
      return { input, positions, labels: input, actions: positions.map(() => "mask") };
    },
    () => yourTurn("maskTokens"),
  );
  await proveChecks(
    "attentionMask",
    ex.attentionMask,
    solutions.attentionMask,
    // reading the keys after the query instead of before, and padding too
    (_family, ids) => ids.map((_, q) => ids.map((_, k) => (k >= q ? 1 : 0))),
    () => yourTurn("attentionMask"),
  );
  await proveChecks(
    "blankAccuracy",
    ex.blankAccuracy,
    solutions.blankAccuracy,
    (logits, masked) => solutions.blankAccuracy(logits, masked) + 0.5,
    () => yourTurn("blankAccuracy"),
  );
  await proveChecks(
    "blankLoss",
    ex.blankLoss,
    solutions.blankLoss,
    (logits, masked) => solutions.blankLoss(logits, masked) * 2 + 1,
    () => yourTurn("blankLoss"),
  );
  // typical mistakes, each caught by some check
  await proveCaught("rounding the count down", ex.maskTokens, (ids, options) => {
    const m = solutions.maskTokens(ids, options);
    const ordinary = ids.filter((id) => !options.specialIds.has(id)).length;
    const keep = Math.max(1, Math.floor((options.rate ?? 0.15) * ordinary));
    return {
      input: ids.map((id, t) => (m.positions.slice(0, keep).includes(t) ? m.input[t] : id)),
      positions: m.positions.slice(0, keep),
      labels: m.labels.slice(0, keep),
      actions: m.actions.slice(0, keep),
    };
  });
  await proveCaught("a random replacement that may be special", ex.maskTokens, (ids, options) => {
    const { random, specialIds, maskId, vocabSize } = options;
    const mix = options.mix ?? { mask: 0.8, random: 0.1 };
    const candidates = ids.flatMap((id, i) => (specialIds.has(id) ? [] : [i]));
    const count = Math.min(
      candidates.length,
      Math.max(1, Math.round((options.rate ?? 0.15) * candidates.length)),
    );
    const positions = random.shuffle(candidates).slice(0, count).sort((a, b) => a - b);
    const input = [...ids];
    const actions = positions.map((t) => {
      const r = random.next();
      if (r < mix.mask) return (input[t] = maskId, "mask" as const);
      if (r < mix.mask + mix.random) return (input[t] = random.int(vocabSize), "random" as const);
      return "same" as const;
    });
    return { input, positions, labels: positions.map((t) => ids[t]), actions };
  });
  await proveCaught("positions left in shuffled order", ex.maskTokens, (ids, options) => {
    const candidates = ids.flatMap((id, i) => (options.specialIds.has(id) ? [] : [i]));
    const count = Math.min(candidates.length, Math.max(1, Math.round(0.15 * candidates.length)));
    const positions = options.random.shuffle(candidates).slice(0, count);
    const input = positions.reduce((row, t) => row.with(t, options.maskId), [...ids]);
    const actions = positions.map(() => (options.random.next(), "mask" as const));
    return { input, positions, labels: positions.map((t) => ids[t]), actions };
  });
  await proveCaught(
    "a causal mask that forgets padding",
    ex.attentionMask,
    (family, ids, _padId, prefix) => solutions.attentionMask(family, ids, -1, prefix),
  );
  await proveCaught(
    "padding queries that read nothing (padding rows hidden as well as columns)",
    ex.attentionMask,
    (family, ids, padId, prefix) =>
      solutions.attentionMask(family, ids, padId, prefix).map((row, q) =>
        ids[q] === padId ? row.map(() => 0) : row
      ),
  );
  await proveCaught(
    "a prefix read only by the prefix",
    ex.attentionMask,
    (family, ids, padId, prefix) =>
      solutions.attentionMask(family === "prefix" ? "causal" : family, ids, padId, prefix).map(
        (row, q) => row.map((v, k) => (q < prefix && k < prefix && ids[k] !== padId ? 1 : v)),
      ),
  );
  await proveCaught("accuracy over every position", ex.blankAccuracy, (logits, masked) => {
    const g = guesses(logits);
    const pairs = masked.flatMap((m, b) =>
      m.input.map((id, t) => {
        const k = m.positions.indexOf(t);
        return g[b][t] === (k < 0 ? id : m.labels[k]);
      })
    );
    return pairs.filter(Boolean).length / pairs.length;
  });
  await proveCaught("accuracy against the input", ex.blankAccuracy, (logits, masked) => {
    const g = guesses(logits);
    const hits = masked.flatMap((m, b) => m.positions.map((t) => g[b][t] === m.input[t]));
    return hits.filter(Boolean).length / hits.length;
  });
  await proveCaught(
    "the loss without the largest score taken out",
    ex.blankLoss,
    (logits, masked) => {
      const terms = masked.flatMap((m, b) =>
        m.positions.map((t, k) => {
          const s = logits[b][t];
          return Math.log(s.reduce((sum, v) => sum + Math.exp(v), 0)) - s[m.labels[k]];
        })
      );
      return terms.reduce((a, x) => a + x, 0) / terms.length;
    },
  );
  await proveCaught("the loss averaged over every row", ex.blankLoss, (logits, masked) => {
    const rows = masked.map((m, b) => solutions.blankLoss([logits[b]], [m]));
    return rows.reduce((a, x) => a + x, 0) / rows.length;
  });
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("lesson 10's committed run shows every exercise not done (the notebook holds stubs, not solutions)", async () => {
  await proveNotebookStubs("10_encoder_only.ipynb", ENCODER_ONLY_EXERCISES);
});
