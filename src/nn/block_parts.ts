/**
 * The parts a transformer block is assembled from, by name: the kinds of normalisation and of
 * feed-forward network. A block's config names a kind (`norm: "layer"`, `feedForward: "mlp"`);
 * a new kind is a new file with its layer and one line here.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { type Activation, FeedForward } from "./feed_forward.ts";
import { LayerNorm } from "./layer_norm.ts";
import type { Module } from "./module.ts";
import { RMSNorm } from "./rms_norm.ts";
import { SwiGLU } from "./swiglu.ts";

/** A normalisation layer: `(..., C)` → `(..., C)`. */
export interface Norm extends Module {
  /** Normalise each vector of the last axis. */
  apply(x: tf.Tensor): tf.Tensor;
}

/** A position-wise feed-forward network: `(..., C)` → `(..., C)`. */
export interface FeedForwardNetwork extends Module {
  /** Apply to every position on its own. */
  apply(x: tf.Tensor): tf.Tensor;
}

/** What a feed-forward kind is built from. */
export interface FeedForwardSettings {
  /** Model dimension C. */
  dModel: number;
  /** Hidden width. */
  dFF: number;
  /** Activation, for kinds that take one. */
  activation: Activation;
  /** Biases in the linear maps. */
  bias: boolean;
  /** Standard deviation of weight initialisation. */
  initStd: number;
}

/** The normalisations on offer, by name. */
export const NORMS = {
  /** LayerNorm: centre and scale each vector, then a learned gain and bias. */
  layer: (dim: number): Norm => new LayerNorm(dim),
  /** RMSNorm: scale each vector by its root mean square, then a learned gain (Llama). */
  rms: (dim: number): Norm => new RMSNorm(dim),
} as const;

/** A normalisation's name. */
export type NormKind = keyof typeof NORMS;

/** The feed-forward networks on offer, by name. */
export const FEED_FORWARDS = {
  /** Two linear layers with an activation between: `act(x W₁ + b₁) W₂ + b₂`. */
  mlp: (s: FeedForwardSettings): FeedForwardNetwork =>
    new FeedForward(s.dModel, s.dFF, s.activation, { bias: s.bias, initStd: s.initStd }),
  /** A gated network: `(SiLU(x W_gate) ⊙ x W_up) W_down` (Llama; the activation is SiLU). */
  swiglu: (s: FeedForwardSettings): FeedForwardNetwork =>
    new SwiGLU(s.dModel, s.dFF, { bias: s.bias, initStd: s.initStd }),
} as const;

/** A feed-forward network's name. */
export type FeedForwardKind = keyof typeof FEED_FORWARDS;
