/**
 * The course's seeded random numbers.
 *
 * TensorFlow.js has no global seed: each random op takes its own optional `seed`, and without one
 * it draws from `Math.random`. So the course keeps one seeded generator here, and every place in
 * `src/` that needs randomness (weight initialisation, batch sampling, shuffling, token sampling)
 * draws from it, passing `tfSeed()` to the tfjs ops it calls. Re-seeding with `setSeed(n)` makes a
 * whole run repeat exactly.
 *
 * @module
 */

/** A small, fast, seeded pseudo-random generator (mulberry32: 32-bit state, period 2^32). */
export class Random {
  #state = 0;

  /** @param seed any integer; the same seed always gives the same sequence. */
  constructor(seed: number) {
    this.reseed(seed);
  }

  /** Restart the sequence from `seed`. */
  reseed(seed: number): void {
    if (!Number.isFinite(seed)) {
      throw new RangeError(`seed must be a finite number, got ${seed}`);
    }
    this.#state = Math.trunc(seed) >>> 0;
  }

  /** A float uniformly distributed in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer uniformly distributed in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) {
      throw new RangeError(`int(n) needs a positive integer n, got ${n}`);
    }
    return Math.floor(this.next() * n);
  }

  /** A standard normal sample (Box–Muller), mean 0 and variance 1. */
  normal(): number {
    const u = 1 - this.next(); // in (0, 1], so log(u) is finite
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Shuffle `items` in place (Fisher–Yates) and return it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }

  /**
   * A seed for a stream of its own, numbered `index`, made from this generator's current state
   * without advancing it: the same state and index always give the same seed.
   */
  derivedSeed(index: number): number {
    let h = Math.imul(this.#state ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35);
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    return (h ^ (h >>> 13)) >>> 0;
  }

  /** A seed for a tfjs random op (`tf.randomNormal(shape, mean, std, dtype, rng.tfSeed())`). */
  tfSeed(): number {
    return this.int(2 ** 31);
  }
}

/** The seed the course starts from unless `initCourse({ seed })` says otherwise. */
export const DEFAULT_SEED = 1337;

/** The course-wide generator that `src/` draws from. Re-seed it with {@link setSeed}. */
export const rng: Random = new Random(DEFAULT_SEED);

/** Re-seed the course-wide generator, so that what follows repeats exactly. */
export function setSeed(seed: number): void {
  rng.reseed(seed);
}
