import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertThrows } from "../assert.ts";
import { Embedding, initCourse, LearnedPositions, setSeed } from "../../src/mod.ts";

await initCourse();

Deno.test("embedding lookup equals one-hot × matrix", () => {
  const before = tf.memory().numTensors;
  setSeed(3);
  const emb = new Embedding(7, 5);
  const [lookup, product] = tf.tidy(() => {
    const ids = tf.tensor2d([[1, 3, 3], [0, 6, 1]], undefined, "int32"); // (B=2, T=3)
    const looked = emb.apply(ids); // (2, 3, 5)
    const oneHot = tf.oneHot(ids, 7).toFloat(); // (2, 3, 7)
    const multiplied = oneHot.reshape([6, 7]).matMul(emb.table).reshape([2, 3, 5]);
    return [looked.arraySync(), multiplied.arraySync()];
  });
  assertEquals(lookup, product);
  emb.dispose();
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("embedding trains on wasm: gradients reach only the rows looked up", () => {
  assertEquals(tf.getBackend(), "wasm");
  setSeed(4);
  const emb = new Embedding(6, 3);
  const ids = tf.tensor1d([1, 4, 4], "int32");
  const target = tf.tensor2d([[1, 0, 0], [0, 1, 0], [0, 1, 0]]);
  const loss = () => tf.losses.meanSquaredError(target, emb.apply(ids)) as tf.Scalar;
  const { grads } = tf.variableGrads(loss, [emb.table]);
  const rows = (grads[emb.table.name].arraySync() as number[][]).map((r) => r.some((g) => g !== 0));
  assertEquals(rows, [false, true, false, false, true, false]);
  tf.dispose(grads);
  const optimizer = tf.train.sgd(1);
  const first = tf.tidy(() => loss().dataSync()[0]);
  for (let step = 0; step < 50; step++) tf.tidy(() => void optimizer.minimize(loss));
  const last = tf.tidy(() => loss().dataSync()[0]);
  assert(last < first / 100, `loss ${first} → ${last}`);
  tf.dispose([ids, target]);
  optimizer.dispose();
  emb.dispose();
});

Deno.test("embedding and learned positions check their arguments", () => {
  const emb = new Embedding(4, 2);
  assertThrows(() => emb.apply([0, 4]), /token id 4 \(position 1\) is not an integer in \[0, 4\)/);
  const floats = tf.tensor1d([0, 1]);
  assertThrows(() => emb.apply(floats), /token ids must be int32, got float32/);
  floats.dispose();
  emb.dispose();
  assertThrows(() => new Embedding(0, 3), /vocabSize must be a positive integer, got 0/);
  const positions = new LearnedPositions(8, 4);
  const p = positions.apply(5);
  assertEquals(p.shape, [5, 4]);
  p.dispose();
  assertThrows(() => positions.apply(9), /sequence length 9 is outside 1 … 8/);
  positions.dispose();
});
