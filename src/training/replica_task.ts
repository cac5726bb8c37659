/**
 * A training task described as plain data — which model, its config, which loss — so that a
 * worker thread can build its own copy of the model (a replica) and compute the same loss on
 * its share of a batch. Used by data-parallel training (`data_parallel.ts`) and, so that both
 * paths share one definition of the loss, by the serial loops too.
 *
 * Batches travel between threads as {@link HostBatch}: named int32 matrices whose first axis
 * is the examples, so a batch splits into shards by rows.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { EncoderDecoder, type EncoderDecoderConfig } from "../models/encoder_decoder.ts";
import { GPT, type GPTConfig } from "../models/gpt.ts";

/** A task a replica can train on, as data (it is posted to workers). */
export type ReplicaTask =
  | {
    /** A decoder-only model: batch `{ x, y }`, next-token cross-entropy. */
    model: "gpt";
    /** The model's config. */
    config: GPTConfig;
    /** Targets with this id are left out of the loss (e.g. a chat's non-assistant tokens). */
    ignoreId?: number;
  }
  | {
    /** An encoder-decoder: batch `{ source, targetIn, targetOut }`, padding left out. */
    model: "encoder-decoder";
    /** The model's config (its `padId` marks the padding). */
    config: EncoderDecoderConfig;
    /** Label smoothing of the training loss. */
    labelSmoothing: number;
  };

/** A model a {@link ReplicaTask} describes. */
export type ReplicaModel = GPT | EncoderDecoder;

/** One int32 matrix of a batch as plain numbers: `rows × cols`, row after row. */
export interface HostMatrix {
  /** Examples. */
  rows: number;
  /** Positions per example. */
  cols: number;
  /** `rows · cols` ids. */
  data: Int32Array;
}

/** A batch as plain arrays, by name (`x`, `y`; or `source`, `targetIn`, `targetOut`). */
export type HostBatch = Record<string, HostMatrix>;

/** A batch as int32 tensors `(B, T)`, by name. */
export type TensorBatch = Record<string, tf.Tensor2D>;

/** A new model for `task`, with fresh weights. */
export function buildReplica(task: ReplicaTask): ReplicaModel {
  return task.model === "gpt" ? new GPT(task.config) : new EncoderDecoder(task.config);
}

/** The names of the matrices a batch of `task` has. */
function batchNames(task: ReplicaTask): string[] {
  return task.model === "gpt" ? ["x", "y"] : ["source", "targetIn", "targetOut"];
}

/** The matrix `name` of `batch`, or an error naming what the task expects. */
function field<T>(task: ReplicaTask, batch: Record<string, T>, name: string): T {
  const value = batch[name];
  if (value === undefined) {
    throw new RangeError(
      `a ${task.model} batch needs ${batchNames(task).join(", ")}; got ${
        Object.keys(batch).join(", ") || "nothing"
      }`,
    );
  }
  return value;
}

/**
 * The training loss of `model` on `batch`: the mean over the positions that count (see
 * {@link countedTargets}).
 */
export function replicaLoss(task: ReplicaTask, model: ReplicaModel, batch: TensorBatch): tf.Scalar {
  const get = (name: string) => field(task, batch, name);
  if (task.model === "gpt") {
    if (!(model instanceof GPT)) throw new TypeError("a gpt task needs a GPT model");
    return model.loss(get("x"), get("y"), { ignoreId: task.ignoreId });
  }
  if (!(model instanceof EncoderDecoder)) {
    throw new TypeError("an encoder-decoder task needs an EncoderDecoder model");
  }
  return model.loss(get("source"), get("targetIn"), get("targetOut"), task.labelSmoothing);
}

/**
 * How many target positions of `batch` the loss averages over. A batch's mean gradient is the
 * average of its shards' mean gradients weighted by these counts.
 */
export function countedTargets(task: ReplicaTask, batch: HostBatch): number {
  const targets = field(task, batch, task.model === "gpt" ? "y" : "targetOut").data;
  const skip = task.model === "gpt" ? task.ignoreId : (task.config.padId ?? 0);
  if (skip === undefined) return targets.length;
  let count = 0;
  for (const id of targets) if (id !== skip) count++;
  return count;
}

/** Read a batch of int32 tensors into plain arrays. */
export function toHost(batch: TensorBatch): HostBatch {
  const host: HostBatch = {};
  for (const [name, t] of Object.entries(batch)) {
    host[name] = { rows: t.shape[0], cols: t.shape[1], data: new Int32Array(t.dataSync()) };
  }
  return host;
}

/** Int32 tensors of a plain batch (the caller disposes them). */
export function toTensors(batch: HostBatch): TensorBatch {
  const tensors: TensorBatch = {};
  for (const [name, m] of Object.entries(batch)) {
    tensors[name] = tf.tensor2d(m.data, [m.rows, m.cols], "int32");
  }
  return tensors;
}

/**
 * Split a batch by rows into `parts` shards, as even as possible (the first shards take the
 * extra rows); every shard has at least one row, so there are at most as many shards as rows.
 */
export function splitRows(batch: HostBatch, parts: number): HostBatch[] {
  const rows = Object.values(batch)[0]?.rows ?? 0;
  for (const [name, m] of Object.entries(batch)) {
    if (m.rows !== rows) {
      throw new RangeError(`batch matrices disagree on rows: ${name} has ${m.rows}, not ${rows}`);
    }
  }
  const count = Math.min(parts, rows);
  const shards: HostBatch[] = [];
  let from = 0;
  for (let i = 0; i < count; i++) {
    const to = from + Math.floor(rows / count) + (i < rows % count ? 1 : 0);
    const shard: HostBatch = {};
    for (const [name, m] of Object.entries(batch)) {
      shard[name] = {
        rows: to - from,
        cols: m.cols,
        data: m.data.slice(from * m.cols, to * m.cols),
      };
    }
    shards.push(shard);
    from = to;
  }
  return shards;
}
