/**
 * Lesson 7's exercises (`notebooks/07_training.ipynb`; solutions in `solutions/07_training.ts`):
 * a loss in bits and as a perplexity, the learning rate at a step, clipping by global norm, and
 * AdamW for three steps by hand, each checked against the course's own version.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { bitsPerCharacter, perplexity } from "../metrics/loss_units.ts";
import { Random } from "../runtime/random.ts";
import { AdamW } from "../training/adamw.ts";
import { clipByGlobalNorm } from "../training/clip.ts";
import { learningRateAt, type Schedule } from "../training/schedule.ts";
import { MOBY_GPT_TRAINING } from "../recipes/moby_gpt.ts";
import {
  type Exercise,
  type ExerciseCheck,
  expectAllClose,
  expectClose,
  labelled,
  uniformRow,
} from "./exercise.ts";

/** A mean loss read in two other ways: bits per character, and perplexity. */
export interface BitsAndPerplexity {
  /** The loss in bits (base 2) instead of nats (base e). */
  bitsPerCharacter: number;
  /** e^loss: the number of equally likely characters that would give the same loss. */
  perplexity: number;
}
/** A mean cross-entropy loss in nats, as bits per character and as a perplexity. */
export type LossInBits = (meanLoss: number) => BitsAndPerplexity;
/** The learning rate at `step` (counted from 0) of `schedule`, as `learningRateAt` gives it. */
export type LearningRateByHand = (step: number, schedule: Schedule) => number;
/** Gradients (one array of numbers per parameter) clipped to a global norm of `maxNorm`. */
export type ClipByHand = (gradients: number[][], maxNorm: number) => number[][];
/** The settings of {@link AdamWByHand}: AdamW's, and whether the parameter is a matrix. */
export interface AdamWByHandSettings {
  /** The learning rate, the same at every step. */
  learningRate: number;
  /** β₁, the running mean's decay. */
  beta1: number;
  /** β₂, the running mean of squares' decay. */
  beta2: number;
  /** ε, added to √v̂. */
  epsilon: number;
  /** λ, the weight decay. */
  weightDecay: number;
  /** Whether the parameter is a matrix (decayed) rather than a bias or a gain (not decayed). */
  isMatrix: boolean;
}
/**
 * AdamW by hand on one parameter: from its numbers `start`, one step per array of `gradients`;
 * returns the parameter's numbers after each step.
 */
export type AdamWByHand = (
  start: number[],
  gradients: number[][],
  settings: AdamWByHandSettings,
) => number[][];

/** `gradients` clipped by the course's `clipByGlobalNorm`, as arrays. */
function courseClip(gradients: number[][], maxNorm: number): number[][] {
  return tf.tidy(() => {
    const named = Object.fromEntries(gradients.map((g, i) => [`g${i}`, tf.tensor1d(g)]));
    const { gradients: clipped } = clipByGlobalNorm(named, maxNorm);
    return gradients.map((_, i) => Array.from(clipped[`g${i}`].dataSync()));
  });
}

/**
 * The numbers of one parameter after each of the course's `AdamW` steps: a matrix of two rows
 * when `settings.isMatrix` (`start` has an even length), a vector otherwise.
 */
function courseAdamW(
  start: number[],
  gradients: number[][],
  settings: AdamWByHandSettings,
): number[][] {
  const shape = settings.isMatrix ? [2, start.length / 2] : [start.length];
  const p = tf.tidy(() => tf.variable(tf.tensor(start, shape))); // the tensor is copied, then freed
  try {
    const { beta1, beta2, epsilon, weightDecay } = settings;
    const optimizer = new AdamW(new Map([["p", p]]), { beta1, beta2, epsilon, weightDecay });
    return gradients.map((g) => {
      optimizer.apply({ p: Float32Array.from(g) }, settings.learningRate);
      return Array.from(p.dataSync());
    });
  } finally {
    p.dispose();
  }
}

/** Lesson 7's settings of AdamW, at a learning rate of 0.01. */
const LESSON_SETTINGS: AdamWByHandSettings = {
  learningRate: 0.01,
  beta1: 0.9,
  beta2: 0.99,
  epsilon: 1e-8,
  weightDecay: 0.1,
  isMatrix: true,
};

/** One case of the AdamW exercise: a parameter's numbers, a gradient per step, the settings. */
interface AdamWCase {
  start: number[];
  gradients: number[][];
  settings: AdamWByHandSettings;
}

/**
 * A check that `answer` gives, after each step of every case, what the course's `AdamW` gives
 * (after step `onlyStep + 1` only, where given).
 */
function adamwCheck(
  answer: AdamWByHand,
  name: string,
  hint: string,
  cases: readonly AdamWCase[],
  onlyStep?: number,
): ExerciseCheck {
  const expected = cases.map((c) => courseAdamW(c.start, c.gradients, c.settings));
  return {
    name,
    hint,
    run: () =>
      cases.forEach(({ start, gradients, settings }, k) => {
        const got = answer([...start], gradients.map((g) => [...g]), { ...settings });
        const which = cases.length > 1 ? `case ${k + 1}, ` : "";
        if (!Array.isArray(got) || got.length !== gradients.length) {
          throw new RangeError(
            `${which}expected the parameter after each of ${gradients.length} steps, got ${
              Array.isArray(got) ? `${got.length} arrays` : String(got)
            }`,
          );
        }
        expected[k].forEach((row, s) => {
          if (onlyStep !== undefined && s !== onlyStep) return;
          labelled(`${which}after step ${s + 1}`, () => expectAllClose(got[s], row, 1e-5));
        });
      }),
  };
}

/** Lesson 7's exercises, easiest first. */
export const TRAINING_EXERCISES: {
  lossInBits: Exercise<LossInBits>;
  learningRate: Exercise<LearningRateByHand>;
  clip: Exercise<ClipByHand>;
  adamw: Exercise<AdamWByHand>;
} = {
  lossInBits: {
    title: "Exercise 1 · a loss in bits and as a perplexity",
    checks: (answer) => {
      const expectBoth = (loss: number) => {
        const got = answer(loss);
        const expected = { bitsPerCharacter: bitsPerCharacter(loss), perplexity: perplexity(loss) };
        for (const [field, value] of Object.entries(expected)) {
          labelled(
            `${field}, for a loss of ${loss}`,
            () => expectClose(got?.[field as keyof BitsAndPerplexity], value, 1e-9),
          );
        }
      };
      const random = new Random(7);
      const known: [string, number][] = [
        ["one bit", Math.LN2],
        ["untrained, ln 81", Math.log(81)],
        ["lesson 7's trained GPT", 1.749],
      ];
      return [
        ...known.map(([what, loss]) => ({
          name: `${what}: a loss of ${loss.toFixed(3)} nats is ${
            bitsPerCharacter(loss).toFixed(3)
          } bits per character, perplexity ${perplexity(loss).toFixed(2)}`,
          hint: "a nat is 1 / ln 2 ≈ 1.443 bits, so bits = nats / ln 2 (Math.LN2); " +
            "perplexity = e^loss (Math.exp), which is also 2^bits",
          run: () => expectBoth(loss),
        })),
        {
          name: "50 random losses between 0 and 6 nats",
          hint: "bits = nats / ln 2 and perplexity = e^nats, for any loss",
          run: () => Array.from({ length: 50 }, () => 6 * random.next()).forEach(expectBoth),
        },
      ];
    },
  },
  learningRate: {
    title: "Exercise 2 · the learning rate at a step",
    checks: (answer) => {
      const lesson = MOBY_GPT_TRAINING.schedule;
      const linear: Schedule = { max: 3e-4, min: 3e-5, warmup: 10, total: 60, decay: "linear" };
      const expectRate = (step: number, schedule: Schedule) => {
        const got = answer(step, { ...schedule });
        labelled(`at step ${step}`, () => expectClose(got, learningRateAt(step, schedule), 1e-9));
      };
      const random = new Random(70);
      const schedules = Array.from({ length: 100 }, (): Schedule => {
        const max = 10 ** (-4 + 2 * random.next());
        const warmup = random.int(51);
        return {
          max,
          min: max * random.next(),
          warmup,
          total: warmup + 1 + random.int(300),
          decay: random.next() < 0.5 ? "cosine" : "linear",
        };
      });
      const at = (step: number) => learningRateAt(step, lesson).toExponential(3);
      return [
        {
          name: `lesson 7's schedule in warm-up: step 0 ${at(0)}, step 49 ${at(49)}, step 99 ${
            at(99)
          }`,
          hint: "steps count from 0; during warm-up the rate is max · (step + 1) / warmup, " +
            "so step warmup − 1 reaches max",
          run: () => [0, 49, 99].forEach((step) => expectRate(step, lesson)),
        },
        {
          name: `lesson 7's schedule after warm-up (cosine): step 100 ${at(100)}, step 1050 ${
            at(1050)
          }, step 1999 ${at(1999)}`,
          hint: "after warm-up, progress = (step − warmup) / (total − warmup) goes from 0 to 1, " +
            "and the rate is min + ½(1 + cos(π · progress)) · (max − min)",
          run: () => [100, 500, 1050, 1999].forEach((step) => expectRate(step, lesson)),
        },
        {
          name: "a linear decay: 10 warm-up steps, 60 in all",
          hint: 'with decay "linear" the rate goes down along a straight line: ' +
            "min + (1 − progress) · (max − min)",
          run: () => Array.from({ length: 60 }, (_, step) => expectRate(step, linear)),
        },
        {
          name: "100 random schedules (some with no warm-up), at every step and 10 past the end",
          hint: "with warmup 0 there is no warm-up; the decay divides by max(1, total − warmup); " +
            "past the last step progress stays at 1, so the rate stays at min; decay, when " +
            'absent, is "cosine"',
          run: () =>
            schedules.forEach((schedule) => {
              for (let step = 0; step < schedule.total + 10; step++) expectRate(step, schedule);
            }),
        },
      ];
    },
  },
  clip: {
    title: "Exercise 3 · clipping by global norm",
    checks: (answer) => {
      const expectClipped = (gradients: number[][], maxNorm: number) => {
        const expected = courseClip(gradients, maxNorm);
        const got = answer(gradients.map((g) => [...g]), maxNorm);
        if (!Array.isArray(got) || got.length !== gradients.length) {
          throw new RangeError(
            `expected ${gradients.length} arrays, one per parameter, got ${
              Array.isArray(got) ? got.length : String(got)
            }`,
          );
        }
        expected.forEach((row, i) => {
          labelled(`parameter ${i}`, () => expectAllClose(got[i], row, 1e-5));
        });
      };
      const random = new Random(71);
      const cases = Array.from({ length: 50 }, () => {
        const gradients = Array.from(
          { length: 1 + random.int(5) },
          () => uniformRow(random, 1 + random.int(20), 2 * random.next()),
        );
        return { gradients, maxNorm: 0.5 + 2 * random.next() };
      });
      return [
        {
          name: "two parameters [3] and [4], max norm 1: the norm is 5, so [0.6] and [0.8]",
          hint: "the global norm is √(Σ g²) over every number of every parameter together; " +
            "each number is multiplied by maxNorm / norm",
          run: () => expectClipped([[3], [4]], 1),
        },
        {
          name: "gradients shorter than the max norm are left as they are",
          hint: "scale only when the norm is above maxNorm: the factor is min(1, maxNorm / norm)",
          run: () => expectClipped([[0.3, -0.4], [0.1]], 1),
        },
        {
          name: "three parameters of different sizes, together too long, max norm 0.5",
          hint: "one factor for all parameters, from their global norm, not one per parameter: " +
            "clipping keeps the direction of the whole gradient",
          run: () => expectClipped([[1, -2, 0.5], [0.25], [-1, 1]], 0.5),
        },
        {
          name: "50 random cases, shorter and longer than the max norm",
          hint: "norm = √(Σ g²) over all numbers; factor = min(1, maxNorm / norm); " +
            "return new arrays of the same shapes",
          run: () => cases.forEach(({ gradients, maxNorm }) => expectClipped(gradients, maxNorm)),
        },
      ];
    },
  },
  adamw: {
    title: "Exercise 4 · AdamW for three steps",
    checks: (answer) => {
      const start = [0.5, -0.3, 0.8, 0.1];
      const gradients = [[0.2, -0.1, 0.05, 0.3], [0.1, 0.1, -0.2, 0.25], [-0.3, 0.05, 0.1, 0.2]];
      const bias = { ...LESSON_SETTINGS, isMatrix: false };
      const other: AdamWByHandSettings = {
        learningRate: 0.1,
        beta1: 0.8,
        beta2: 0.999,
        epsilon: 1e-3,
        weightDecay: 0.01,
        isMatrix: true,
      };
      const random = new Random(72);
      const cases = Array.from({ length: 20 }, () => {
        const n = 2 * (1 + random.int(8));
        return {
          start: uniformRow(random, n),
          gradients: Array.from({ length: 1 + random.int(3) }, () => uniformRow(random, n)),
          settings: {
            learningRate: 0.001 + 0.1 * random.next(),
            beta1: 0.5 + 0.45 * random.next(),
            beta2: 0.9 + 0.099 * random.next(),
            epsilon: 1e-8,
            weightDecay: 0.2 * random.next(),
            isMatrix: random.next() < 0.5,
          },
        };
      });
      const lesson = { start, gradients, settings: LESSON_SETTINGS };
      return [
        adamwCheck(
          answer,
          "a 2 × 2 matrix, lesson 7's settings at lr 0.01: step 1",
          "on step 1, m̂ = g and √v̂ = |g|: each number moves by lr · (g / (|g| + ε) + λp)",
          [lesson],
          0,
        ),
        adamwCheck(
          answer,
          "the same matrix: all three steps",
          "keep m and v from step to step; correct both for their start at 0 with the step's " +
            "own t: m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ)",
          [lesson],
        ),
        adamwCheck(
          answer,
          "the same numbers as a bias (not a matrix): three steps, no decay",
          "weight decay is for matrices only: a bias or a gain gets no λp",
          [{ ...lesson, settings: bias }],
        ),
        adamwCheck(
          answer,
          "other settings: β₁ 0.8, β₂ 0.999, ε 1e-3, λ 0.01, lr 0.1",
          "use the settings given, not lesson 7's; ε goes outside the square root, and the decay " +
            "is added to the step, not to the gradient (so it is not divided by √v̂)",
          [{ ...lesson, settings: other }],
        ),
        adamwCheck(
          answer,
          "20 random cases: 2 to 16 numbers, 1 to 3 steps, matrices and vectors",
          "m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², both from 0 and kept between steps; " +
            "m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ) with t counted from 1; " +
            "p ← p − lr · (m̂ / (√v̂ + ε) + λp), the λp only for a matrix",
          cases,
        ),
      ];
    },
  },
};
