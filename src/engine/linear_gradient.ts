/**
 * A linear layer's `x · W + b` with its gradient in one piece.
 *
 * TensorFlow.js differentiates `reshape`, `matMul` and `add` one at a time: folding `x`
 * `(B, T, in)` into rows and back, and the broadcasting add's gradient, reshape what they pass
 * on where nothing needs it (for a 3-D `x`, 11 calls a layer and step where this takes 8;
 * lesson 9's step has 33 linear layers). Here `x` is multiplied as it is: on cpu, and on wasm
 * with the course's matrix product (`wasm/matmul.ts`, which folds a batch that shares its right
 * operand into rows), that is the same product as the rows'. The gradient takes the same
 * products and the same sum as the engine's own gradients, so the numbers are the same, bit for
 * bit:
 *
 *     dx = dy · Wᵀ,   dW = xᵀ · dy,   db = Σ_rows dy     (x and dy as rows for dW and db)
 *
 * TensorFlow.js's own wasm product sums a batch another way (and slowly), and for a frozen
 * weight or bias the engine skips its gradient, which this would compute: in both cases
 * {@link fastLinear} leaves the layer to the formula.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { fastMatMulRegistered } from "./wasm/matmul.ts";

/** `x · W + b`, differentiated as one operation (see the module's note). */
const linearWithBias = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, weight, bias, save] = args as [tf.Tensor, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
  const value = tf.add(tf.matMul(x, weight), bias);
  save([x, weight]);
  return {
    value,
    gradFunc: (dy: tf.Tensor, [xs, ws]: tf.Tensor[]) => {
      const [inFeatures, outFeatures] = ws.shape;
      const rows = (t: tf.Tensor, width: number) => t.rank === 2 ? t : t.reshape([-1, width]);
      const dyRows = rows(dy, outFeatures);
      return [
        tf.matMul(dy, ws, false, true), // (..., in)
        tf.matMul(rows(xs, inFeatures), dyRows, true, false), // (in, out)
        tf.sum(dyRows, 0), // (out)
      ];
    },
  };
});

/** Whether `t` is a variable that training leaves as it is. */
const frozen = (t: tf.Tensor) => t instanceof tf.Variable && !t.trainable;

/**
 * `x · W + b` for `x` `(..., in)` (rank 2 or more), `W` `(in, out)` and `b` `(out)`, float32,
 * with its gradient in one piece; `undefined` otherwise, for a frozen `W` or `b`, and on wasm
 * without the course's matrix product (the caller then uses the formula).
 */
export function fastLinear(
  x: tf.Tensor,
  weight: tf.Tensor,
  bias: tf.Tensor,
): tf.Tensor | undefined {
  const float32 = [x, weight, bias].every((t) => t.dtype === "float32");
  const shapes = x.rank >= 2 && weight.rank === 2 && bias.rank === 1 &&
    x.shape[x.rank - 1] === weight.shape[0] && bias.shape[0] === weight.shape[1];
  const sameProduct = tf.getBackend() !== "wasm" || fastMatMulRegistered();
  if (!float32 || !shapes || !sameProduct || frozen(weight) || frozen(bias)) return undefined;
  return linearWithBias(x, weight, bias);
}
