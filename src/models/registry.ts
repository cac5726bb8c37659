/**
 * The course's models by kind, the name a checkpoint's header gives them ("gpt", …): how to
 * build each from its config (and fill in a config's defaults), what a training batch of it
 * holds, and its training loss. The training loops compute every loss through this table, and
 * the engine's worker threads import it (by {@link MODEL_REGISTRY}, the URL of this module) to
 * build replicas, so any model listed here trains on one thread or on N with the same loss. A
 * new model is one more entry.
 *
 * Batches are named int32 matrices `(B, T)` whose rows are the examples (so they split into
 * shards by rows); where a target is {@link IGNORE_TARGET}, it is left out of the loss.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  countTargets,
  type LossOptions,
  type Replica,
  type ReplicaJob,
  type ReplicaKind,
  requireBatchNames,
  type TensorBatch,
} from "../engine/mod.ts";
import {
  EncoderDecoder,
  type EncoderDecoderConfig,
  resolveEncoderDecoderConfig,
} from "./encoder_decoder.ts";
import { EncoderOnly, type EncoderOnlyConfig, resolveEncoderOnlyConfig } from "./encoder_only.ts";
import { GPT, type GPTConfig, resolveGPTConfig } from "./gpt.ts";
import {
  GPTClassifier,
  type GPTClassifierConfig,
  resolveGPTClassifierConfig,
} from "./gpt_classifier.ts";

/** The target id of positions left out of a loss. */
export const IGNORE_TARGET: number = -1;

/** A model kind: what the engine's threads need, and its config with defaults filled in. */
export interface ModelKindEntry<M extends Replica, C> extends ReplicaKind<M, C> {
  /** `config` checked, with every default filled in (as the model's own `config` holds it). */
  resolve(config: C): Required<C>;
}

/** The URL of this module: what a worker imports to find {@link MODEL_KINDS}. */
export const MODEL_REGISTRY: string = import.meta.url;

/**
 * A GPT: batch `{ x, y }` (ids and next ids); `options.ignoreId` targets are left out. The loss
 * is a training step's: dropout, if the config has any, drops.
 */
const gpt: ModelKindEntry<GPT, GPTConfig> = {
  batchNames: ["x", "y"],
  build: (config) => new GPT(config),
  resolve: resolveGPTConfig,
  loss: (model, b, options) => model.loss(b.x, b.y, { ignoreId: options.ignoreId, training: true }),
  countedTargets: (b, options) => countTargets(b.y.data, options.ignoreId),
};

/**
 * An encoder-decoder: batch `{ source, targetIn, targetOut }`, padding left out, label
 * smoothing `options.labelSmoothing` (default 0).
 */
const encoderDecoder: ModelKindEntry<EncoderDecoder, EncoderDecoderConfig> = {
  batchNames: ["source", "targetIn", "targetOut"],
  build: (config) => new EncoderDecoder(config),
  resolve: resolveEncoderDecoderConfig,
  loss: (model, b, options) =>
    model.loss(b.source, b.targetIn, b.targetOut, options.labelSmoothing ?? 0),
  countedTargets: (b, _options, config) => countTargets(b.targetOut.data, config.padId ?? 0),
};

/**
 * An encoder-only model trained by masked-language modelling: batch `{ ids, targets }`, where
 * `targets` holds the original token at each chosen position and {@link IGNORE_TARGET}
 * elsewhere.
 */
const encoderOnly: ModelKindEntry<EncoderOnly, EncoderOnlyConfig> = {
  batchNames: ["ids", "targets"],
  build: (config) => new EncoderOnly(config),
  resolve: resolveEncoderOnlyConfig,
  loss: (model, b) => {
    if (b.targets.shape.join() !== b.ids.shape.join()) {
      throw new RangeError(
        `an encoder-only batch needs targets shaped like its ids: ids [${b.ids.shape}], ` +
          `targets [${b.targets.shape}]`,
      );
    }
    const targets = b.targets.dataSync();
    const positions: number[] = [];
    const labels: number[] = [];
    targets.forEach((id, i) => {
      if (id === IGNORE_TARGET) return;
      positions.push(i); // flat index b · T + t
      labels.push(id);
    });
    return tf.tidy(() =>
      model.loss(b.ids, tf.tensor1d(positions, "int32"), tf.tensor1d(labels, "int32"))
    );
  },
  countedTargets: (b) => countTargets(b.targets.data, IGNORE_TARGET),
};

/**
 * A GPT classifier: batch `{ ids, last, label }`, where `last` `(B, 1)` is each row's last real
 * token and `label` `(B, 1)` its class. The loss is a training step's (dropout, if any, drops).
 */
const gptClassifier: ModelKindEntry<GPTClassifier, GPTClassifierConfig> = {
  batchNames: ["ids", "last", "label"],
  build: (config) => new GPTClassifier(config),
  resolve: resolveGPTClassifierConfig,
  loss: (model, b) =>
    tf.tidy(() =>
      model.loss(
        b.ids,
        b.last.reshape([-1]) as tf.Tensor1D,
        b.label.reshape([-1]) as tf.Tensor1D,
        { training: true },
      )
    ),
  countedTargets: (b) => b.label.data.length,
};

/** The models by kind. */
export const MODEL_KINDS = {
  gpt,
  "gpt-classifier": gptClassifier,
  "encoder-decoder": encoderDecoder,
  "encoder-only": encoderOnly,
} as const;

/** A model kind's name. */
export type ModelKind = keyof typeof MODEL_KINDS;

/** A model of kind `K`. */
export type ModelOf<K extends ModelKind> = ReturnType<(typeof MODEL_KINDS)[K]["build"]>;

/** A training task as data: which kind, its config, the loss's settings. */
export interface TrainingTask<K extends ModelKind = ModelKind> {
  /** The model's kind. */
  kind: K;
  /** Its config. */
  config: Parameters<(typeof MODEL_KINDS)[K]["build"]>[0];
  /** The loss's settings, e.g. `{ ignoreId: IGNORE_TARGET }` or `{ labelSmoothing: 0.1 }`. */
  options?: LossOptions;
}

/** The task as a job a worker thread can be given. */
export function replicaJob(task: TrainingTask): ReplicaJob {
  return {
    kind: task.kind,
    config: task.config,
    options: task.options ?? {},
    registry: MODEL_REGISTRY,
  };
}

/**
 * The training loss of `model` on `batch`, as the task's kind defines it: a training step's, with
 * dropout if the model has any (a measurement calls the model's own `loss`, in evaluation mode).
 */
export function taskLoss<K extends ModelKind>(
  task: TrainingTask<K>,
  model: ModelOf<K>,
  batch: TensorBatch,
): tf.Scalar {
  const kind: ReplicaKind = MODEL_KINDS[task.kind];
  requireBatchNames(kind, task.kind, batch);
  return kind.loss(model, batch, task.options ?? {}, task.config);
}
