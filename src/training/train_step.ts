/**
 * One training step: loss, gradients, clipping, update — leaving no tensors behind.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type AdamW, gradientNumbers, type NamedGradients } from "./adamw.ts";
import { requireInRange } from "../runtime/checks.ts";
import { clipScale, globalNorm } from "./clip.ts";

/** Settings of one step. */
export interface StepOptions {
  /** The learning rate of this step. */
  learningRate: number;
  /** Clip gradients to this global norm (default: no clipping). */
  clipNorm?: number;
}

/** What a step measured. */
export interface StepResult {
  /** The loss before the update. */
  loss: number;
  /** The global gradient norm before clipping. */
  gradNorm: number;
}

/**
 * Compute `loss()`, its gradients with respect to the optimizer's parameters, clip them, and
 * let the optimizer update the parameters. `loss` is a training step's: for a model with
 * dropout, ask it for the loss in training mode (`model.loss(x, y, { training: true })`, as the
 * training loop does through `taskLoss`).
 */
export function trainStep(
  loss: () => tf.Scalar,
  optimizer: AdamW,
  options: StepOptions,
): StepResult {
  return tf.tidy(() => {
    const variables = [...optimizer.parameters.values()];
    const { value, grads } = tf.variableGrads(loss, variables);
    const byName: Record<string, tf.Tensor> = {};
    for (const [name, variable] of optimizer.parameters) {
      if (grads[variable.name] !== undefined) byName[name] = grads[variable.name];
    }
    return { loss: value.dataSync()[0], gradNorm: applyGradients(byName, optimizer, options) };
  });
}

/**
 * The second half of a step, for gradients computed elsewhere too (data-parallel training): clip
 * `gradients` (by parameter name, as tensors or as their numbers; they are kept) and let the
 * optimizer update the parameters. Returns the global gradient norm before clipping.
 */
export function applyGradients(
  gradients: NamedGradients,
  optimizer: AdamW,
  options: StepOptions,
): number {
  requireInRange("clipNorm", options.clipNorm ?? Infinity, 0, Infinity, "(]");
  const numbers = gradientNumbers(gradients);
  const norm = globalNorm(Object.values(numbers));
  if (!Number.isFinite(norm)) {
    throw new RangeError(
      `the gradients' global norm is ${norm}: the loss or its gradients are not finite numbers; ` +
        "the weights were left as they were",
    );
  }
  optimizer.apply(numbers, options.learningRate, clipScale(norm, options.clipNorm ?? Infinity));
  return norm;
}
