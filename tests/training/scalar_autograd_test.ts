import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "../assert.ts";
import { crossEntropy, initCourse } from "../../src/mod.ts";
import { numericGradient, Value } from "../../src/training/scalar_autograd.ts";

await initCourse();

/** A neuron and its squared error, L = (tanh(w·x + b) − t)², on Values. */
function neuronLoss(x: Value, w: Value, b: Value, target: number): Value {
  const error = w.mul(x).add(b).tanh().sub(target);
  return error.mul(error);
}

/** The same on numbers. */
const neuronLossOf = ([x, w, b]: number[], target: number) => (Math.tanh(w * x + b) - target) ** 2;

Deno.test("a neuron's squared error: backward equals the chain rule by hand, finite differences and tf.grads", () => {
  const before = tf.memory().numTensors;
  const inputs = [1.5, 0.8, -0.5];
  const [x, w, b] = inputs.map((n) => new Value(n));
  const loss = neuronLoss(x, w, b, 0.9);
  loss.backward();
  const got = [x.grad, w.grad, b.grad];
  // by hand: dL/dz = 2 (y − t) (1 − y²), then dz/dx = w, dz/dw = x, dz/db = 1
  const y = Math.tanh(0.8 * 1.5 - 0.5);
  const dz = 2 * (y - 0.9) * (1 - y * y);
  got.forEach((g, i) => assertAlmostEquals(g, [0.8 * dz, 1.5 * dz, dz][i], 1e-15));
  numericGradient((v) => neuronLossOf(v, 0.9), inputs).forEach((g, i) =>
    assertAlmostEquals(got[i], g, 1e-9)
  );
  const fromTf = tf.tidy(() =>
    tf.grads((xs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor) =>
      ws.mul(xs).add(bs).tanh().sub(0.9).square().sum()
    )(inputs.map((n) => tf.tensor1d([n]))).map((g) => g.dataSync()[0])
  );
  fromTf.forEach((g, i) => assertAlmostEquals(got[i], g, 1e-6));
  assertAlmostEquals(loss.data, neuronLossOf(inputs, 0.9), 1e-15);
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("a value used twice collects both shares; backward twice gives the same gradients", () => {
  const a = new Value(3);
  const square = a.mul(a); // d(a²)/da = 2a
  square.backward();
  assertEquals(a.grad, 6);
  const b = new Value(-2);
  const f = b.mul(4).add(b.exp()).sub(b.mul(b)); // 4 + e^b − 2b
  f.backward();
  f.backward();
  assertAlmostEquals(b.grad, 4 + Math.exp(-2) + 4, 1e-15);
  assertEquals(f.grad, 1);
});

Deno.test("exp and log: the cross-entropy of one position gives p − one-hot, as tf.grad of crossEntropy", () => {
  const before = tf.memory().numTensors;
  const logits = [0.3, -1.2, 2.0, 0.5];
  const target = 2;
  const z = logits.map((n) => new Value(n));
  // L = log Σ e^z − z_target
  const total = z.slice(1).reduce((s, v) => s.add(v.exp()), z[0].exp());
  const loss = total.log().sub(z[target]);
  loss.backward();
  const p = logits.map((v) => Math.exp(v) / logits.reduce((s, u) => s + Math.exp(u), 0));
  z.forEach((v, i) => assertAlmostEquals(v.grad, p[i] - (i === target ? 1 : 0), 1e-15));
  const fromTf = tf.tidy(() =>
    Array.from(
      tf.grad((t: tf.Tensor) => crossEntropy(t, tf.tensor1d([target], "int32")))(
        tf.tensor2d([logits]),
      ).dataSync(),
    )
  );
  z.forEach((v, i) => assertAlmostEquals(v.grad, fromTf[i], 1e-6));
  assertAlmostEquals(loss.data, -Math.log(p[target]), 1e-12);
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("graph(): each value after its parents, each once; a chain of 100,000 does not overflow", () => {
  const x = new Value(1).named("x");
  const y = x.mul(2).named("y");
  const z = y.add(x).tanh().named("z");
  const order = z.graph();
  assertEquals(new Set(order).size, order.length);
  order.forEach((v, i) => v.parents.forEach((p) => assert(order.indexOf(p) < i, v.label)));
  assertEquals(order.at(-1), z);
  assertEquals(order.filter((v) => v.label !== "").map((v) => v.label), ["x", "y", "z"]);
  assertEquals([x.op, y.op, z.op], ["", "·", "tanh"]);
  let chain = new Value(0);
  const start = chain;
  for (let i = 0; i < 100_000; i++) chain = chain.add(1);
  chain.backward();
  assertEquals([chain.data, start.grad], [100_000, 1]);
});

Deno.test("Value and numericGradient refuse what they cannot work with, naming it", () => {
  assertThrows(() => new Value(NaN), /a Value holds a number, got NaN/);
  assertThrows(() => new Value("2" as unknown as number), /a Value holds a number, got "2"/);
  assertThrows(() => new Value(0).log(), /log needs a positive value, got 0/);
  assertThrows(() => numericGradient(([x]) => x, [1], 0), /a step h > 0, got 0/);
  const [dx, dy] = numericGradient(([x, y]) => x * x * y, [3, 2]);
  assertAlmostEquals(dx, 12, 1e-8);
  assertAlmostEquals(dy, 9, 1e-8);
});
