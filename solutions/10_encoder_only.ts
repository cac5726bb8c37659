/**
 * Solutions to lesson 10's exercises (`src/exercises/encoder_only.ts` checks them; the test
 * suite proves every check passes here and reports "not done" on the notebook's stubs).
 *
 * @module
 */
import type {
  AttentionFamily,
  AttentionMaskByHand,
  BlankAccuracy,
  BlankLoss,
  MaskAction,
  MaskedSequence,
  MaskingOptions,
  MaskTokensByHand,
} from "../src/mod.ts";

/** Exercise 1: section 2's maskByHand, with the rate and the mix as options. */
export const maskTokens: MaskTokensByHand = (
  ids: readonly number[],
  options: MaskingOptions,
) => {
  const { random, specialIds, maskId, vocabSize } = options;
  const rate = options.rate ?? 0.15;
  const mix = options.mix ?? { mask: 0.8, random: 0.1 };
  const candidates = ids.flatMap((id, i) => (specialIds.has(id) ? [] : [i]));
  const count = Math.min(candidates.length, Math.max(1, Math.round(rate * candidates.length)));
  const positions = random.shuffle(candidates).slice(0, count).sort((a, b) => a - b);
  const input = [...ids];
  const actions = positions.map((t): MaskAction => {
    const r = random.next();
    if (r < mix.mask) {
      input[t] = maskId;
      return "mask";
    }
    if (r < mix.mask + mix.random) {
      let id = random.int(vocabSize);
      while (specialIds.has(id)) id = random.int(vocabSize);
      input[t] = id;
      return "random";
    }
    return "same";
  });
  return { input, positions, labels: positions.map((t) => ids[t]), actions };
};

/** Exercise 2: a padding key is never read; otherwise the family's rule. */
export const attentionMask: AttentionMaskByHand = (
  family: AttentionFamily,
  ids: readonly number[],
  padId: number,
  prefixLength: number,
) =>
  ids.map((_, q) =>
    ids.map((key, k) => {
      if (key === padId) return 0;
      if (family === "bidirectional") return 1;
      const reads = k <= q || (family === "prefix" && k < prefixLength);
      return reads ? 1 : 0;
    })
  );

/** The index of the largest score (the first, on a tie). */
function argmax(scores: readonly number[]): number {
  return scores.reduce((best, s, i) => (s > scores[best] ? i : best), 0);
}

/** Each chosen position of `masked` as its row, position and the token to predict there. */
function blanks(masked: readonly MaskedSequence[]): { b: number; t: number; label: number }[] {
  return masked.flatMap((m, b) => m.positions.map((t, k) => ({ b, t, label: m.labels[k] })));
}

/** Exercise 3: right guesses at the chosen positions, over their number. */
export const blankAccuracy: BlankAccuracy = (
  logits: number[][][],
  masked: readonly MaskedSequence[],
) => {
  const all = blanks(masked);
  return all.filter(({ b, t, label }) => argmax(logits[b][t]) === label).length / all.length;
};

/** Exercise 4: logsumexp(s) − s[label], with the largest score taken out first. */
export const blankLoss: BlankLoss = (logits: number[][][], masked: readonly MaskedSequence[]) => {
  const all = blanks(masked);
  const total = all.reduce((sum, { b, t, label }) => {
    const scores = logits[b][t];
    const top = Math.max(...scores);
    const logSumExp = top + Math.log(scores.reduce((s, v) => s + Math.exp(v - top), 0));
    return sum + logSumExp - scores[label];
  }, 0);
  return total / all.length;
};
