/**
 * Solutions to lesson 3's exercises (`src/exercises/attention.ts` checks them; the test suite
 * proves every check passes here and reports "not done" on the notebook's stubs).
 *
 * @module
 */
import type {
  AttentionArrays,
  AttentionByHand,
  CausalMaskByHand,
  PaddedAttentionByHand,
  SoftmaxGradient,
} from "../src/mod.ts";

/** Exercise 1: the query at position past + r sees keys 0 … past + r. */
export const causalMaskByHand: CausalMaskByHand = (length, past) =>
  Array.from(
    { length },
    (_, r) => Array.from({ length: past + length }, (_, key) => (key <= past + r ? 1 : 0)),
  );

/** A softmax of one row, its maximum subtracted first so that exp cannot overflow. */
function softmax(row: number[]): number[] {
  const top = Math.max(...row);
  const exps = row.map((s) => Math.exp(s - top));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

/** Attention where `visible(j)` says whether key j may be seen. */
function attend(
  q: number[][],
  k: number[][],
  v: number[][],
  visible: (j: number) => boolean,
): AttentionArrays {
  const dk = q[0].length;
  const weights = q.map((qi) =>
    softmax(
      k.map((kj, j) =>
        visible(j) ? qi.reduce((s, x, c) => s + x * kj[c], 0) / Math.sqrt(dk) : -1e9
      ),
    )
  );
  const output = weights.map((w) =>
    v[0].map((_, c) => w.reduce((s, wj, j) => s + wj * v[j][c], 0))
  );
  return { weights, output };
}

/** Exercise 2: scores, scaled by √d_k, a softmax over each row, then the weights times V. */
export const attentionByHand: AttentionByHand = (q, k, v) => attend(q, k, v, () => true);

/** Exercise 3: a pad key's score is −1e9, so its weight is exactly 0. */
export const paddedAttention: PaddedAttentionByHand = (q, k, v, ids, padId) =>
  attend(q, k, v, (j) => ids[j] !== padId).output;

/** Exercise 4: ∂L/∂s_j = p_j (g_j − Σ_m p_m g_m). */
export const softmaxGradient: SoftmaxGradient = (scores, dWeights) => {
  const p = softmax(scores);
  const mean = p.reduce((s, pm, m) => s + pm * dWeights[m], 0);
  return p.map((pj, j) => pj * (dWeights[j] - mean));
};
