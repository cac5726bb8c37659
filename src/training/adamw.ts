/**
 * AdamW: Adam with decoupled weight decay.
 *
 * For each parameter p with gradient g, at step t:
 *
 *     m ← β₁ m + (1 − β₁) g            running mean of gradients
 *     v ← β₂ v + (1 − β₂) g²           running mean of squared gradients
 *     p ← p − lr · ( m̂ / (√v̂ + ε) + λ p )   with m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ)
 *
 * The decay λ p pulls weights towards zero, separately from the gradient step. It applies to
 * matrices only (rank ≥ 2: projections and embedding tables); biases and LayerNorm gains are
 * left alone, since shrinking them has no regularising use.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { requireInRange } from "../runtime/checks.ts";
import { AdamWKernel, readNumbers, writeNumbers } from "../engine/mod.ts";
import { MAX_LEARNING_RATE } from "./schedule.ts";

/** Settings of {@link AdamW}. */
export interface AdamWOptions {
  /** β₁ (default 0.9). */
  beta1?: number;
  /** β₂ (default 0.99). */
  beta2?: number;
  /** ε (default 1e-8). */
  epsilon?: number;
  /** λ, the weight decay of matrices (default 0.1). */
  weightDecay?: number;
}

/** Throw unless each setting given is sensible: β₁ and β₂ in [0, 1), ε > 0, λ ≥ 0, finite. */
export function checkAdamWOptions(options: AdamWOptions): void {
  const { beta1 = 0.9, beta2 = 0.99, epsilon = 1e-8, weightDecay = 0.1 } = options;
  requireInRange("AdamW beta1", beta1, 0, 1, "[)");
  requireInRange("AdamW beta2", beta2, 0, 1, "[)");
  requireInRange("AdamW epsilon", epsilon, 0, Infinity, "()");
  requireInRange("AdamW weightDecay", weightDecay, 0, Infinity, "[)");
}

/** Gradients by parameter name, as tensors or as their numbers. */
export type NamedGradients = Record<string, tf.Tensor | Float32Array>;

/** The numbers of each gradient (a tensor's read once; arrays as they are). */
export function gradientNumbers(gradients: NamedGradients): Record<string, Float32Array> {
  const numbers: Record<string, Float32Array> = {};
  for (const [name, g] of Object.entries(gradients)) {
    numbers[name] = g instanceof Float32Array ? g : g.dataSync() as Float32Array;
  }
  return numbers;
}

/**
 * The AdamW optimizer over a fixed set of named variables.
 *
 * The update runs over each parameter's numbers in one SIMD loop (the engine's `AdamWKernel`,
 * which also keeps the running averages m and v) instead of a dozen kernel calls per parameter: on small
 * models, whose steps are short, that matters.
 */
export class AdamW {
  /** Steps taken. */
  step = 0;
  readonly #kernel: AdamWKernel;
  readonly #beta1: number;
  readonly #beta2: number;
  readonly #epsilon: number;
  readonly #weightDecay: number;

  /** @param parameters the variables to train, by name (a model's `parameters()`) */
  constructor(readonly parameters: Map<string, tf.Variable>, options: AdamWOptions = {}) {
    checkAdamWOptions(options);
    this.#beta1 = options.beta1 ?? 0.9;
    this.#beta2 = options.beta2 ?? 0.99;
    this.#epsilon = options.epsilon ?? 1e-8;
    this.#weightDecay = options.weightDecay ?? 0.1;
    this.#kernel = new AdamWKernel([...parameters.values()].map((p) => p.size));
  }

  /**
   * Apply one update at learning rate `learningRate` with `gradients` (by parameter name, as
   * tensors or as their numbers), each first multiplied by `scale` (clipping's factor).
   * Parameters without a gradient (not used by the loss) are left alone.
   */
  apply(gradients: NamedGradients, learningRate: number, scale = 1): void {
    requireInRange("learningRate", learningRate, 0, MAX_LEARNING_RATE);
    requireInRange("gradient scale", scale, 0, Infinity, "[)");
    const numbers = gradientNumbers(gradients);
    this.step += 1;
    const [b1, b2, epsilon] = [this.#beta1, this.#beta2, this.#epsilon];
    const correction1 = 1 - b1 ** this.step;
    const correction2 = 1 - b2 ** this.step;
    let index = 0;
    for (const [name, p] of this.parameters) {
      const g = numbers[name];
      const at = index++;
      if (g === undefined) continue;
      if (g.length !== p.size) {
        throw new RangeError(
          `AdamW: the gradient of ${name} has ${g.length} numbers, the parameter ${p.size} [${p.shape}]`,
        );
      }
      const decay = p.rank >= 2 ? this.#weightDecay : 0;
      const updated = this.#kernel.apply(at, readNumbers(p), g, {
        scale,
        beta1: b1,
        beta2: b2,
        step: learningRate / correction1,
        shrink: 1 - learningRate * decay,
        unbias2: 1 / correction2,
        epsilon,
      });
      writeNumbers(p, updated);
    }
  }

  /** Nothing to free: the running averages are plain memory (kept for symmetry with models). */
  dispose(): void {}
}
