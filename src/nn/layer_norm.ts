/**
 * Layer normalisation, from its formula: for each token vector x (the last axis),
 *
 *     LN(x) = γ ⊙ (x − mean(x)) / √(var(x) + ε) + β
 *
 * with the mean and the (biased) variance over the vector's C numbers, and a learned gain γ
 * (initially 1) and bias β (initially 0). It keeps every token's vector at a steady scale, which
 * lets deep stacks train.
 *
 * Written with tensor operations, LayerNorm is a dozen small kernels forward and twice as many
 * backward, and a transformer has two per block: on small models the calls cost more than the
 * arithmetic. So it runs here as one operation over the numbers, with its gradient written out.
 * With x̂ = (x − mean) / σ, σ = √(var + ε), and the upstream gradient dy, per vector:
 *
 *     dβ = Σ dy          dγ = Σ dy ⊙ x̂          (summed over all vectors)
 *     dx = (g − mean(g) − x̂ ⊙ mean(g ⊙ x̂)) / σ    with g = dy ⊙ γ
 *
 * (the two means are what normalising takes back: shifting all of x, or scaling it, changes
 * nothing). Sums run in float64. Tests check it against the formula in tensor operations and
 * against finite differences.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { requirePositiveInteger } from "./checks.ts";
import { Module } from "./module.ts";

/** LayerNorm over the last axis. */
export class LayerNorm extends Module {
  /** γ, `(C)`. */
  readonly gain: tf.Variable;
  /** β, `(C)`. */
  readonly bias: tf.Variable;

  /** @param epsilon added to the variance, so a constant vector does not divide by zero */
  constructor(readonly dim: number, readonly epsilon = 1e-5) {
    super();
    requirePositiveInteger("LayerNorm dim", dim);
    // Inside tidy: the initial ones/zeros are freed, the variables keep their own copy.
    this.gain = tf.tidy(() => tf.variable(tf.ones([dim])));
    this.bias = tf.tidy(() => tf.variable(tf.zeros([dim])));
  }

  /** Normalise `x` of shape `(..., C)`. */
  apply(x: tf.Tensor): tf.Tensor {
    if (x.shape[x.rank - 1] !== this.dim) {
      throw new RangeError(
        `LayerNorm expects a last dimension of ${this.dim}, got input of shape [${x.shape}]`,
      );
    }
    return layerNorm(x, this.gain, this.bias, this.epsilon);
  }

  /** `gain` and `bias`. */
  protected override ownParameters(): Record<string, tf.Variable> {
    return { gain: this.gain, bias: this.bias };
  }
}

/** LayerNorm of `x` `(..., C)` with gain and bias `(C)`, as one operation (see the module comment). */
export function layerNorm(
  x: tf.Tensor,
  gain: tf.Tensor,
  bias: tf.Tensor,
  epsilon: number,
): tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, gain, bias] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    const C = gain.size;
    const rows = x.size / C;
    const xs = x.dataSync() as Float32Array;
    const [g, b] = [gain.dataSync() as Float32Array, bias.dataSync() as Float32Array];
    const normalised = new Float32Array(x.size); // x̂
    const inverseSigma = new Float32Array(rows); // 1 / σ per vector
    const y = new Float32Array(x.size);
    for (let r = 0; r < rows; r++) {
      const start = r * C;
      let sum = 0;
      for (let c = 0; c < C; c++) sum += xs[start + c];
      const mean = sum / C;
      let squares = 0;
      for (let c = 0; c < C; c++) squares += (xs[start + c] - mean) ** 2;
      const inverse = 1 / Math.sqrt(squares / C + epsilon);
      inverseSigma[r] = inverse;
      for (let c = 0; c < C; c++) {
        const n = (xs[start + c] - mean) * inverse;
        normalised[start + c] = n;
        y[start + c] = n * g[c] + b[c];
      }
    }
    save([tf.tensor(normalised, x.shape), tf.tensor(inverseSigma, [rows]), gain]);
    return {
      value: tf.tensor(y, x.shape),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const up = dy.dataSync() as Float32Array;
        const xHat = saved[0].dataSync() as Float32Array;
        const inverse = saved[1].dataSync() as Float32Array;
        const gains = saved[2].dataSync() as Float32Array;
        const dx = new Float32Array(up.length);
        const dGain = new Float64Array(C);
        const dBias = new Float64Array(C);
        for (let r = 0; r < rows; r++) {
          const start = r * C;
          let meanG = 0; // mean(g)
          let meanGX = 0; // mean(g ⊙ x̂)
          for (let c = 0; c < C; c++) {
            const i = start + c;
            dBias[c] += up[i];
            dGain[c] += up[i] * xHat[i];
            const gi = up[i] * gains[c];
            meanG += gi;
            meanGX += gi * xHat[i];
          }
          meanG /= C;
          meanGX /= C;
          for (let c = 0; c < C; c++) {
            const i = start + c;
            dx[i] = (up[i] * gains[c] - meanG - xHat[i] * meanGX) * inverse[r];
          }
        }
        return [
          tf.tensor(dx, dy.shape),
          tf.tensor(Float32Array.from(dGain), [C]),
          tf.tensor(Float32Array.from(dBias), [C]),
        ];
      },
    };
  });
  return op(x, gain, bias);
}
