import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertThrows } from "../../assert.ts";
import {
  attentionFormula,
  causalMask,
  crossEntropy,
  initCourse,
  MultiHeadAttention,
  scaledDotProductAttention,
  setSeed,
  useFusedKernels,
} from "../../../src/mod.ts";
import { random, withFusedKernels } from "../../fixtures.ts";
import { gradCheck } from "../../gradcheck.ts";

await initCourse();

/** How many times the attention kernel ran in `f`; `f`'s tensors are freed. */
async function kernelRuns(f: () => void): Promise<number> {
  const profile = await tf.profile(() => tf.tidy(() => void f()));
  return profile.kernels.filter((k) => k.name === "CourseAttention").length;
}

/**
 * The output, the weights and the gradients of q, k and v (of a loss that weighs every output and
 * every weight differently) by `attend`.
 */
function everything(
  attend: typeof attentionFormula,
  q: tf.Tensor,
  k: tf.Tensor,
  v: tf.Tensor,
  mask: tf.Tensor | undefined,
  weighOutput: tf.Tensor,
  weighWeights: tf.Tensor | undefined,
): tf.Tensor[] {
  const loss = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
    const { output, weights } = attend(a, b, c, mask);
    const fromOutput = output.mul(weighOutput).sum();
    return weighWeights ? fromOutput.add(weights.mul(weighWeights).sum()) : fromOutput;
  };
  const { output, weights } = attend(q, k, v, mask);
  return [output, weights, ...tf.grads(loss)([q, k, v])];
}

Deno.test(
  "the attention kernel equals the formula, forward and backward, for every mask the course uses",
  withFusedKernels(async () => {
    setSeed(31);
    const before = tf.memory().numTensors;
    // (q, k, v, mask): keys not a multiple of 4; causal; lesson 7's heads; a padding mask
    // (B, 1, 1, Tk); a (B, 1, Tq, Tk) mask; d ≠ dv; one key; rank 3; grouped queries stacked on
    // the time axis with the causal mask tiled
    const cases: [number[], number[], number[], number[] | "causal" | undefined][] = [
      [[2, 3, 5, 8], [2, 3, 7, 8], [2, 3, 7, 4], undefined],
      [[2, 3, 6, 8], [2, 3, 6, 8], [2, 3, 6, 12], "causal"],
      [[12, 4, 64, 32], [12, 4, 64, 32], [12, 4, 64, 32], "causal"],
      [[3, 2, 5, 16], [3, 2, 9, 16], [3, 2, 9, 16], [3, 1, 1, 9]],
      [[2, 2, 6, 4], [2, 2, 6, 4], [2, 2, 6, 4], [2, 1, 6, 6]],
      [[2, 1, 3, 4], [2, 1, 1, 4], [2, 1, 1, 8], undefined],
      [[4, 5, 8], [4, 9, 8], [4, 9, 8], [4, 1, 9]],
      [[2, 1, 12, 8], [2, 1, 6, 8], [2, 1, 6, 8], [12, 6]],
    ];
    for (const [qs, ks, vs, maskShape] of cases) {
      const runs = await kernelRuns(() => {
        const [q, k, v] = [random(qs), random(ks), random(vs)];
        const Tq = qs.at(-2)!, Tk = ks.at(-2)!;
        let mask: tf.Tensor | undefined;
        if (maskShape === "causal") mask = causalMask(Tq);
        else if (maskShape?.length === 2) mask = causalMask(Tk).tile([2, 1]); // GQA's tiled mask
        else if (maskShape) {
          // random 0s and 1s, with key 0 always seen
          const seen = random(maskShape).greater(-0.5).cast("float32");
          mask = seen.maximum(tf.oneHot(tf.zeros(maskShape.slice(0, -1), "int32"), Tk));
        }
        const weighOutput = random([...qs.slice(0, -1), vs.at(-1)!]);
        const weighWeights = random([...qs.slice(0, -1), Tk]);
        for (const weighs of [undefined, weighWeights]) {
          const ours = everything(scaledDotProductAttention, q, k, v, mask, weighOutput, weighs);
          const reference = everything(attentionFormula, q, k, v, mask, weighOutput, weighs);
          ["output", "weights", "dq", "dk", "dv"].forEach((name, i) => {
            assertEquals(ours[i].shape, reference[i].shape);
            const scale = reference[i].abs().max().dataSync()[0] + 1e-3;
            const gap = ours[i].sub(reference[i]).abs().max().dataSync()[0] / scale;
            assert(gap < 2e-6, `[${qs}] mask ${maskShape}: ${name} off by ${gap} (relative)`);
          });
        }
      });
      // forward once, and once more under each tf.grads, for each of the two losses
      assertEquals(runs, 4, `[${qs}]: the kernel ran ${runs} times`);
    }
    assertEquals(tf.memory().numTensors, before);
  }),
);

Deno.test(
  "the attention kernel's gradients agree with finite differences",
  withFusedKernels(() => {
    setSeed(32);
    const [q, k, v] = [random([1, 2, 5, 4]), random([1, 2, 6, 4]), random([1, 2, 6, 4])];
    const mask = tf.tensor([[1, 1, 0, 1, 1, 0]]).reshape([1, 1, 1, 6]);
    const weighOutput = random([1, 2, 5, 4]), weighWeights = random([1, 2, 5, 6]);
    const loss = (which: number) => (x: tf.Tensor) => {
      const inputs = [q, k, v];
      inputs[which] = x;
      const { output, weights } = scaledDotProductAttention(inputs[0], inputs[1], inputs[2], mask);
      return output.mul(weighOutput).sum().add(weights.mul(weighWeights).sum()) as tf.Scalar;
    };
    ["q", "k", "v"].forEach((name, which) => {
      const { worst } = gradCheck(loss(which), [q, k, v][which]);
      assert(worst < 2e-2, `d${name}: finite differences differ by ${worst} (relative)`);
    });
    tf.dispose([q, k, v, mask, weighOutput, weighWeights]);
  }),
);

Deno.test(
  "attention falls back to the formula where the kernel cannot run, and hidden keys weigh exactly 0",
  withFusedKernels(async () => {
    const before = tf.memory().numTensors;
    // head size 3 (not a multiple of 4), 68 (above 64), keys batched differently from queries
    for (
      const [qs, ks] of [[[2, 5, 3], [2, 5, 3]], [[1, 4, 68], [1, 4, 68]], [[2, 4, 8], [1, 4, 8]]]
    ) {
      const runs = await kernelRuns(() => {
        const { output } = scaledDotProductAttention(random(qs), random(ks), random(ks));
        assertEquals(output.shape, qs);
      });
      assertEquals(runs, 0, `[${qs}]: the kernel ran`);
    }
    const weights = tf.tidy(() => {
      const q = random([1, 6, 8]).mul(30); // large scores: exp of the gaps underflows
      const { weights } = scaledDotProductAttention(
        q,
        random([1, 6, 8]),
        random([1, 6, 8]),
        causalMask(6),
      );
      return weights.arraySync() as number[][][];
    });
    weights[0].forEach((row, i) => {
      assert(row.slice(i + 1).every((w) => w === 0), `row ${i}: a hidden key has weight`);
      const sum = row.reduce((a, b) => a + b, 0);
      assert(Math.abs(sum - 1) < 1e-6, `row ${i} sums to ${sum}`);
    });
    assertEquals(tf.memory().numTensors, before);
  }),
);

Deno.test(
  "multi-head and grouped-query attention train through the kernel with memory flat",
  withFusedKernels(async () => {
    setSeed(33);
    const layer = new MultiHeadAttention(32, 4, { numKVHeads: 2 });
    const x = random([2, 7, 32]);
    const step = () =>
      tf.tidy(() => {
        const loss = () =>
          layer.apply(x as tf.Tensor3D, x as tf.Tensor3D, causalMask(7)).output.square()
            .mean() as tf.Scalar;
        const { grads } = tf.variableGrads(loss, [...layer.parameters().values()]);
        return tf.addN(Object.values(grads).map((g) => g.sum()));
      }).dispose();
    step();
    const before = tf.memory().numTensors;
    const runs = await kernelRuns(step);
    for (let i = 0; i < 5; i++) step();
    assertEquals(tf.memory().numTensors, before);
    assertEquals(runs, 1);
    layer.dispose();
    x.dispose();
  }),
);

Deno.test(
  "the attention kernel refuses shapes it cannot take, naming them",
  withFusedKernels(() => {
    tf.tidy(() => {
      const run = (q: number[], k: number[], v: number[]) => () =>
        tf.engine().runKernel("CourseAttention", {
          q: tf.zeros(q),
          k: tf.zeros(k),
          v: tf.zeros(v),
        }, { scale: 1 });
      assertThrows(run([1, 2, 3], [1, 2, 3], [1, 2, 3]), /multiples of 4 up to 64.*q \[1,2,3\]/);
      assertThrows(run([1, 2, 4], [1, 3, 4], [1, 2, 4]), /k \[1,3,4\], v \[1,2,4\]/);
    });
  }),
);

Deno.test("by default attention and cross-entropy run by their formulas, as the checkpoints were trained", async () => {
  const before = useFusedKernels(false);
  try {
    const profile = await tf.profile(() =>
      tf.tidy(() => {
        const x = random([2, 4, 8]);
        const { output } = scaledDotProductAttention(x, x, x, causalMask(4));
        return crossEntropy(output.reshape([8, 8]), tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], "int32"));
      })
    );
    (profile.result as tf.Tensor).dispose();
    assertEquals(profile.kernels.filter((k) => k.name.startsWith("Course")).map((k) => k.name), []);
  } finally {
    useFusedKernels(before);
  }
});
