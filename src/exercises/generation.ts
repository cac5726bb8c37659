/**
 * Lesson 8's exercises (`notebooks/08_generation.ipynb`; solutions in
 * `solutions/08_generation.ts`): min-p sampling, drawing a token from a distribution, the whole
 * sampler (temperature and every filter), and the temperature that gives the top token a chosen
 * probability, each checked against the course's own `nextTokenDistribution` and `sampleIndex`.
 *
 * @module
 */
import {
  nextTokenDistribution,
  sampleIndex,
  type SamplingOptions,
} from "../generation/sampling.ts";
import { Random } from "../runtime/random.ts";
import { everyCase, type Exercise, expectAllClose, expectClose, labelled } from "./exercise.ts";

/** The distribution `probabilities` after min-p: tokens below minP × the top one's dropped. */
export type MinPFilter = (probabilities: number[], minP: number) => number[];
/** The token a uniform number `u` in [0, 1) draws from `probabilities`. */
export type TokenDraw = (probabilities: number[], u: number) => number;
/** The distribution the next token is drawn from, given the logits and the sampling settings. */
export type SamplerDistribution = (logits: number[], options: SamplingOptions) => number[];
/** The temperature at which the likeliest token of `logits` has probability `topProbability`. */
export type TemperatureForConfidence = (logits: number[], topProbability: number) => number;

/** A {@link Random} whose every draw is `u`: the course's sampler, fed a number of our choice. */
class FixedDraw extends Random {
  constructor(readonly u: number) {
    super(0);
  }

  /** Always `u`. */
  override next(): number {
    return this.u;
  }
}

/** `n` logits drawn from `random`, spread by `scale`. */
function randomLogits(random: Random, n: number, scale = 2): number[] {
  return Array.from({ length: n }, () => scale * random.normal());
}

/** The softmax of `logits`, as plain numbers. */
function softmax(logits: readonly number[]): number[] {
  return Array.from(nextTokenDistribution(logits));
}

/** A distribution of `n` tokens from `random`, with some tokens of probability 0 when `zeros`. */
function randomDistribution(random: Random, n: number, zeros = false): number[] {
  const p = softmax(randomLogits(random, n));
  if (!zeros) return p;
  const kept = p.map((x, i) => (i % 3 === 1 ? 0 : x));
  const total = kept.reduce((a, b) => a + b, 0);
  return kept.map((x) => x / total);
}

/** The course's filtered distribution of `probabilities` (read as the logits log p). */
function course(probabilities: readonly number[], options: SamplingOptions): number[] {
  return Array.from(nextTokenDistribution(probabilities.map(Math.log), options));
}

/** A list of numbers, short, for names and messages. */
const list = (xs: readonly number[]) => `[${xs.map((x) => Number(x.toFixed(4))).join(", ")}]`;

/** The worked distribution of exercises 1 and 3: four tokens of 0.5, 0.3, 0.15 and 0.05. */
const WORKED = [0.5, 0.3, 0.15, 0.05];

/** Lesson 8's exercises, easiest first. */
export const GENERATION_EXERCISES: {
  minP: Exercise<MinPFilter>;
  drawToken: Exercise<TokenDraw>;
  samplerDistribution: Exercise<SamplerDistribution>;
  temperatureFor: Exercise<TemperatureForConfidence>;
} = {
  minP: {
    title: "Exercise 1 · min-p sampling",
    checks: (answer) => {
      const hint = "keep the tokens whose probability is at least minP × the largest " +
        "probability (not minP itself), set the others to 0, then divide by what is left";
      const worked: [string, number[], number][] = [
        ["0.5, 0.3, 0.15, 0.05 at minP 0.5 (the threshold is 0.25)", WORKED, 0.5],
        ["0.5, 0.3, 0.15, 0.05 at minP 0.25 (the threshold is 0.125)", WORKED, 0.25],
        ["a sure model, 0.93 on top, at minP 0.1: one token left", [0.93, 0.03, 0.02, 0.02], 0.1],
        ["a flat one, 0.3 on top, at minP 0.1: every token left", [0.3, 0.25, 0.25, 0.2], 0.1],
        ["minP 0 leaves the distribution as it is", WORKED, 0],
        ["minP 1 keeps the top token, and any tied with it", [0.4, 0.2, 0.4], 1],
      ];
      const random = new Random(8);
      const cases = Array.from({ length: 60 }, () => ({
        p: randomDistribution(random, 2 + random.int(30)),
        minP: random.next(),
      }));
      return [
        ...worked.map(([what, p, minP]) => ({
          name: `${what}: ${list(course(p, { minP }))}`,
          hint,
          run: () => expectAllClose(answer([...p], minP), course(p, { minP }), 1e-9),
        })),
        everyCase(
          "60 random distributions of 2 to 31 tokens, minP between 0 and 1",
          hint,
          cases,
          ({ p, minP }) => `${p.length} tokens, minP ${minP.toFixed(3)}`,
          ({ p, minP }) => expectAllClose(answer([...p], minP), course(p, { minP }), 1e-9),
        ),
      ];
    },
  },
  drawToken: {
    title: "Exercise 2 · drawing a token",
    checks: (answer) => {
      const hint = "walk the tokens in id order, taking away each probability from u; the " +
        "token at which u goes below 0 is drawn (so a token of probability 0 never is); if " +
        "rounding leaves u at 0 or above after the last token, draw the last token whose " +
        "probability is above 0";
      const draw = (p: readonly number[], u: number) => sampleIndex(p, new FixedDraw(u));
      const worked: [string, number[], number][] = [
        ...[0.1, 0.5, 0.79, 0.95].map((u): [string, number[], number] => [
          `0.5, 0.3, 0.2 at u = ${u}`,
          [0.5, 0.3, 0.2],
          u,
        ]),
        ["0, 0.5, 0, 0.5 at u = 0 (never a token of probability 0)", [0, 0.5, 0, 0.5], 0],
        ["0, 0.5, 0, 0.5 at u = 0.5", [0, 0.5, 0, 0.5], 0.5],
        [
          "ten tokens of 0.1 and one of 0, at u = 1 − 2⁻⁵³ (their sum rounds below u)",
          [...Array(10).fill(0.1), 0],
          1 - 2 ** -53,
        ],
      ];
      const random = new Random(80);
      const distributions = Array.from(
        { length: 20 },
        (_, i) => randomDistribution(random, 2 + random.int(20), i % 2 === 0),
      );
      const grid = 10_000;
      return [
        ...worked.map(([what, p, u]) => ({
          name: `${what}: token ${draw(p, u)}`,
          hint,
          run: () => expectClose(answer([...p], u), draw(p, u)),
        })),
        everyCase(
          `draws follow the distribution: over a grid of ${grid} values of u, each token's ` +
            `share is its probability, to within 1/${grid}`,
          hint,
          distributions.slice(0, 5),
          (p) => `${p.length} tokens ${list(p)}`,
          (p) => {
            const counts = p.map(() => 0);
            for (let i = 0; i < grid; i++) counts[answer([...p], (i + 0.5) / grid)] += 1;
            expectAllClose(counts.map((c) => c / grid), p, 1.5 / grid);
          },
        ),
        everyCase(
          "1,000 seeded draws from each of 20 random distributions: the course's tokens",
          hint,
          distributions,
          (p) => `${p.length} tokens ${list(p)}`,
          (p) => {
            const numbers = new Random(p.length);
            for (let i = 0; i < 1000; i++) {
              const u = numbers.next();
              labelled(`u = ${u}`, () => expectClose(answer([...p], u), draw(p, u)));
            }
          },
        ),
      ];
    },
  },
  samplerDistribution: {
    title: "Exercise 3 · the whole sampler",
    checks: (answer) => {
      const hint = "temperature 0 is greedy (all on the first largest logit); otherwise the " +
        "softmax of logit / T, after taking away the largest logit; then top-k, top-p and min-p " +
        "are each judged on that one distribution, a token stays only if every filter given " +
        "keeps it, and what stays is divided by its total once, at the end";
      const logits = WORKED.map(Math.log);
      const worked: [string, number[], SamplingOptions][] = [
        ["temperature 0: greedy", logits, { temperature: 0 }],
        ["T = 0.5", logits, { temperature: 0.5 }],
        ["T = 2, min-p 0.4", logits, { temperature: 2, minP: 0.4 }],
        ["top-k 2 and top-p 0.6 together", logits, { topK: 2, topP: 0.6 }],
        ["T = 0.5, top-p 0.9", logits, { temperature: 0.5, topP: 0.9 }],
        ["logits near 1,000 (take away the largest first)", [1000, 999, 998], {}],
      ];
      const random = new Random(88);
      const cases = Array.from({ length: 300 }, () => {
        const n = 2 + random.int(30);
        const options: SamplingOptions = {
          temperature: random.next() < 0.1 ? 0 : 0.2 + 2 * random.next(),
        };
        if (random.next() < 0.5) options.topK = 1 + random.int(n);
        if (random.next() < 0.5) options.topP = 0.05 + 0.95 * random.next();
        if (random.next() < 0.5) options.minP = random.next();
        return { logits: randomLogits(random, n), options };
      });
      const expected = (l: number[], o: SamplingOptions) => Array.from(nextTokenDistribution(l, o));
      return [
        ...worked.map(([what, l, options]) => ({
          name: `${what}: ${list(expected(l, options))}`,
          hint,
          run: () => expectAllClose(answer([...l], { ...options }), expected(l, options), 1e-9),
        })),
        everyCase(
          "300 random logits and settings: nextTokenDistribution's distribution",
          hint,
          cases,
          ({ logits, options }) => `${logits.length} logits, ${JSON.stringify(options)}`,
          ({ logits, options }) =>
            expectAllClose(answer([...logits], { ...options }), expected(logits, options), 1e-9),
        ),
      ];
    },
  },
  temperatureFor: {
    title: "Exercise 4 · the temperature for a given confidence",
    checks: (answer) => {
      const hint = "the top token's probability falls as T grows, from 1 near T = 0 to 1/n as " +
        "T grows without end: bisect on T (or on log T, between 0.01 and 100) until the " +
        "probability is within 10⁻⁶ of the target, the check's tolerance (a few more halvings " +
        "leave a margin)";
      const top = (logits: number[], temperature: unknown) => {
        if (typeof temperature !== "number" || !(temperature > 0 && temperature < Infinity)) {
          throw new RangeError(`expected a temperature above 0, got ${String(temperature)}`);
        }
        return Math.max(...nextTokenDistribution(logits, { temperature }));
      };
      const logits = [2, 1, 0, -1];
      const atOne = Math.max(...softmax(logits));
      const worked: [string, number][] = [
        [
          `2, 1, 0, −1 made 90 % sure (sharper than at T = 1, where it is ${atOne.toFixed(3)})`,
          0.9,
        ],
        ["2, 1, 0, −1 made 50 % sure (flatter)", 0.5],
        ["2, 1, 0, −1 made 30 % sure (nearly uniform: 1/4 is the least)", 0.3],
      ];
      const random = new Random(888);
      const cases = Array.from({ length: 40 }, () => {
        const n = 2 + random.int(30);
        let l = randomLogits(random, n);
        while (topGap(l) < 0.5) l = randomLogits(random, n);
        return { logits: l, q: 1 / n + 0.05 + (0.95 - 1 / n - 0.05) * random.next() };
      });
      return [
        ...worked.map(([what, q]) => ({
          name: `${what}: the top token's probability ${q} at your T`,
          hint,
          run: () => expectClose(top(logits, answer([...logits], q)), q, 1e-6),
        })),
        everyCase(
          "40 random logits and targets between 1/n + 0.05 and 0.95",
          hint,
          cases,
          ({ logits, q }) => `${logits.length} logits, target ${q.toFixed(4)}`,
          ({ logits, q }) => expectClose(top(logits, answer([...logits], q)), q, 1e-6),
        ),
      ];
    },
  },
};

/** How far the largest logit is above the second largest. */
function topGap(logits: readonly number[]): number {
  const [first, second] = [...logits].sort((a, b) => b - a);
  return first - second;
}
