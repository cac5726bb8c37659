/**
 * What a worker thread needs to train a copy (a replica) of a model: a **job** it can be posted
 * as plain data (which model kind, its config, the loss's options, and the module that defines
 * the kind), and the **kind** itself: how to build the model and compute its training loss on a
 * batch. The kinds live in a registry outside the engine (`models/registry.ts`, keyed by the
 * checkpoint's kind), which a worker imports by the URL in its job; so any model the registry
 * lists trains on N threads, and the engine knows no model by name.
 *
 * Batches travel between threads as {@link HostBatch}: named int32 matrices whose first axis is
 * the examples, so a batch splits into shards by rows.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** What the engine needs of a model: its named trainable variables, in a fixed order. */
export interface Replica {
  /** The trainable variables by name, always in the same order. */
  parameters(): Map<string, tf.Variable>;
}

/** The loss's settings of a job, e.g. `{ ignoreId: -1 }` or `{ labelSmoothing: 0.1 }`. */
export type LossOptions = Readonly<Record<string, number>>;

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

/** How one kind of model trains on a batch (an entry of a registry). */
export interface ReplicaKind<M extends Replica = Replica, C = unknown> {
  /** The names of the matrices a batch has, e.g. `["x", "y"]`. */
  readonly batchNames: readonly string[];
  /** A new model with fresh weights. */
  build(config: C): M;
  /**
   * The mean training loss of `model` over the targets of `batch` that count: a training step's,
   * so dropout, if the model has any, drops.
   */
  loss(model: M, batch: TensorBatch, options: LossOptions, config: C): tf.Scalar;
  /**
   * How many targets of `batch` the loss averages over: a batch's mean gradient is the average
   * of its shards' mean gradients weighted by these counts.
   */
  countedTargets(batch: HostBatch, options: LossOptions, config: C): number;
}

/** A training job as data (it is posted to workers). */
export interface ReplicaJob {
  /** The model's kind, a key of the registry. */
  kind: string;
  /** The model's config. */
  config: unknown;
  /** The loss's settings. */
  options: LossOptions;
  /** URL of the module whose `MODEL_KINDS` export is the registry that holds `kind`. */
  registry: string;
  /** Parameters that get no gradient (frozen: their `trainable` is false), by name; default none. */
  frozen?: readonly string[];
}

/** The registry a job names, as its module exports it. */
export interface RegistryModule {
  /** The kinds, by name. */
  MODEL_KINDS: Readonly<Record<string, ReplicaKind>>;
}

/** The kind `job` names, from `kinds`, or an error listing the kinds there are. */
export function kindOf(kinds: RegistryModule["MODEL_KINDS"], job: ReplicaJob): ReplicaKind {
  const kind = Object.hasOwn(kinds, job.kind) ? kinds[job.kind] : undefined;
  if (kind === undefined) {
    throw new RangeError(
      `no model kind ${JSON.stringify(job.kind)} in ${job.registry}; it has ${
        Object.keys(kinds).join(", ")
      }`,
    );
  }
  return kind;
}

/** Throw unless `batch` has every matrix `kind` needs, naming what is missing. */
export function requireBatchNames(
  kind: ReplicaKind,
  jobKind: string,
  batch: Record<string, unknown>,
): void {
  if (kind.batchNames.some((name) => batch[name] === undefined)) {
    throw new RangeError(
      `a ${jobKind} batch needs ${kind.batchNames.join(", ")}; got ${
        Object.keys(batch).join(", ") || "nothing"
      }`,
    );
  }
}

/** How many ids of `targets` are not `skip` (all of them when `skip` is undefined). */
export function countTargets(targets: Int32Array, skip: number | undefined): number {
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
  return tf.tidy(() => {
    const tensors: TensorBatch = {};
    for (const [name, m] of Object.entries(batch)) {
      tensors[name] = tf.tensor2d(m.data, [m.rows, m.cols], "int32");
    }
    return tensors;
  });
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
