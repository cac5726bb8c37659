import * as tf from "@tensorflow/tfjs";
import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertNotEquals,
  assertThrows,
} from "../assert.ts";
import { initCourse, Random, rng, setSeed } from "../../src/mod.ts";

await initCourse();

Deno.test("Random: a seed fixes the sequence; values in range; normal has mean 0, variance 1", () => {
  const a = new Random(42);
  const b = new Random(42);
  const first = Array.from({ length: 5 }, () => a.next());
  assertEquals(Array.from({ length: 5 }, () => b.next()), first);
  assertNotEquals(Array.from({ length: 5 }, () => new Random(43).next()), first);
  a.reseed(42);
  assertEquals(a.next(), first[0]);
  const r = new Random(7);
  const ints = Array.from({ length: 10_000 }, () => r.int(6));
  assert(ints.every((i) => Number.isInteger(i) && i >= 0 && i < 6));
  assertEquals(new Set(ints).size, 6);
  const xs = Array.from({ length: 20_000 }, () => r.normal());
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
  assertAlmostEquals(mean, 0, 0.03);
  assertAlmostEquals(variance, 1, 0.05);
  const items = Array.from({ length: 50 }, (_, i) => i);
  const shuffled = r.shuffle([...items]);
  assertNotEquals(shuffled, items);
  assertEquals([...shuffled].sort((p, q) => p - q), items);
});

Deno.test("setSeed makes tfjs random ops seeded through rng repeat", () => {
  const draw = () => {
    setSeed(99);
    return tf.tidy(() =>
      Array.from(tf.randomNormal([4], 0, 1, "float32", rng.tfSeed()).dataSync())
    );
  };
  assertEquals(draw(), draw());
});

Deno.test("Random rejects bad arguments with messages that say what was expected", () => {
  const r = new Random(1);
  assertThrows(() => r.int(0), /^int\(n\) needs a positive integer n, got 0$/);
  assertThrows(() => r.reseed(NaN), /seed must be a finite number, got NaN/);
});

Deno.test("derivedSeed: a seed per index from the state as it stands, without drawing", () => {
  const r = new Random(5);
  const seeds = [1, 2, 3].map((i) => r.derivedSeed(i));
  assertEquals([1, 2, 3].map((i) => r.derivedSeed(i)), seeds, "the same state and index");
  assertEquals(r.next(), new Random(5).next(), "deriving did not advance the generator");
  assertEquals(new Set(seeds).size, 3, "another index, another seed");
  assertEquals(new Random(6).derivedSeed(1) === new Random(5).derivedSeed(1), false);
  assertEquals(seeds.every((s) => Number.isInteger(s) && s >= 0 && s < 2 ** 32), true);
});
