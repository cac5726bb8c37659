import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertThrows } from "../assert.ts";
import {
  addLoRA,
  initCourse,
  Linear,
  LowRankAdapter,
  mergeLoRA,
  setSeed,
  setTrainable,
  trainableParameters,
} from "../../src/mod.ts";

await initCourse();

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => a.sub(b).abs().max().dataSync()[0]);

Deno.test("LoRA: B starts at zero, so an adapted layer computes exactly what it did before", () => {
  setSeed(3);
  const layer = new Linear(12, 10);
  const x = tf.randomNormal([5, 12]);
  const before = layer.apply(x);
  addLoRA([layer], { rank: 4, alpha: 8 });
  const after = layer.apply(x);
  assertEquals(maxDiff(before, after), 0);
  assertEquals([...layer.parameters().keys()], ["weight", "bias", "adapter.down", "adapter.up"]);
  assertEquals(layer.adapter!.down.shape, [12, 4]);
  assertEquals(layer.adapter!.up.shape, [4, 10]);
  tf.dispose([x, before, after]);
  layer.dispose();
});

Deno.test("LoRA: the adapted layer is x·W + b + (α/r)·x·A·B, and merging gives the same outputs", () => {
  setSeed(4);
  const layer = new Linear(8, 6);
  addLoRA([layer], { rank: 2, alpha: 6 });
  const adapter = layer.adapter!;
  tf.tidy(() => adapter.up.assign(tf.randomNormal([2, 6]))); // as if trained
  const x = tf.randomNormal([7, 8]);
  const formula = tf.tidy(() =>
    x.matMul(layer.weight).add(layer.bias!).add(x.matMul(adapter.down).matMul(adapter.up).mul(3))
  );
  const adapted = layer.apply(x);
  assert(maxDiff(adapted, formula) < 1e-5, `adapter path differs from the formula`);
  const tensors = tf.memory().numTensors;
  mergeLoRA([layer]);
  assertEquals(layer.adapter, undefined);
  assertEquals(tf.memory().numTensors, tensors - 2, "the merged adapter's A and B are freed");
  const merged = layer.apply(x);
  assert(
    maxDiff(merged, adapted) < 1e-5,
    `merged ${maxDiff(merged, adapted)} away from the adapter path`,
  );
  assertEquals([...layer.parameters().keys()], ["weight", "bias"]);
  tf.dispose([x, formula, adapted, merged]);
  layer.dispose();
});

Deno.test("LoRA: refuses a rank above the layer's smaller side, a second adapter, merging none", () => {
  const layer = new Linear(4, 3);
  assertThrows(() => new LowRankAdapter(4, 3, { rank: 4, alpha: 1 }), /rank 4 .* r ≤ 3/);
  assertThrows(() => mergeLoRA([layer]), /no adapter to merge/);
  addLoRA([layer], { rank: 1, alpha: 1 });
  assertThrows(() => addLoRA([layer], { rank: 1, alpha: 1 }), /adapter already/);
  layer.dispose();
});

Deno.test("freezing: setTrainable and trainableParameters", () => {
  const layer = new Linear(4, 3);
  addLoRA([layer], { rank: 1, alpha: 1 });
  setTrainable(layer, false);
  setTrainable(layer.adapter!, true);
  assertEquals([...trainableParameters(layer).keys()], ["adapter.down", "adapter.up"]);
  setTrainable(layer, true);
  assertEquals(trainableParameters(layer).size, 4);
  layer.dispose();
});
