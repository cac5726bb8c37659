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

/** The AdamW optimizer over a fixed set of named variables. */
export class AdamW {
  /** Steps taken. */
  step = 0;
  readonly #state = new Map<string, { m: tf.Variable; v: tf.Variable }>();
  readonly #beta1: number;
  readonly #beta2: number;
  readonly #epsilon: number;
  readonly #weightDecay: number;

  /** @param parameters the variables to train, by name (a model's `parameters()`) */
  constructor(readonly parameters: Map<string, tf.Variable>, options: AdamWOptions = {}) {
    this.#beta1 = options.beta1 ?? 0.9;
    this.#beta2 = options.beta2 ?? 0.99;
    this.#epsilon = options.epsilon ?? 1e-8;
    this.#weightDecay = options.weightDecay ?? 0.1;
    for (const [name, p] of parameters) {
      this.#state.set(name, {
        m: tf.tidy(() => tf.variable(tf.zerosLike(p), false)),
        v: tf.tidy(() => tf.variable(tf.zerosLike(p), false)),
      });
    }
  }

  /** Apply one update with `gradients` (by parameter name) at learning rate `learningRate`. */
  apply(gradients: Record<string, tf.Tensor>, learningRate: number): void {
    this.step += 1;
    const [b1, b2] = [this.#beta1, this.#beta2];
    const correction1 = 1 - b1 ** this.step;
    const correction2 = 1 - b2 ** this.step;
    tf.tidy(() => {
      for (const [name, p] of this.parameters) {
        const g = gradients[name];
        if (g === undefined) continue; // not used in this loss
        const { m, v } = this.#state.get(name)!;
        m.assign(m.mul(b1).add(g.mul(1 - b1)));
        v.assign(v.mul(b2).add(g.square().mul(1 - b2)));
        let update = m.div(correction1).div(v.div(correction2).sqrt().add(this.#epsilon));
        if (p.rank >= 2 && this.#weightDecay > 0) update = update.add(p.mul(this.#weightDecay));
        p.assign(p.sub(update.mul(learningRate)));
      }
    });
  }

  /** Free the optimizer's state. */
  dispose(): void {
    for (const { m, v } of this.#state.values()) tf.dispose([m, v]);
  }
}
