/**
 * Data-parallel training on the cores of one machine. TensorFlow.js's wasm backend computes on
 * one thread, so a step uses one core. Here each batch is split by rows into shards: this thread
 * computes the gradients of the first shard while worker threads, each holding a replica of the
 * model (`gradient_worker.ts`), compute the others at the same time. The shards' mean gradients
 * are averaged, weighted by how many targets each shard counts, which gives the batch's mean
 * gradient: the same step as on one thread, up to float rounding. After the optimizer's update
 * the new weights are sent to the replicas.
 *
 * On two cores a step of lesson 7's GPT takes about two thirds as long as on one (combining the
 * shards and the update stay on this thread); it pays when a shard's work is far larger than
 * sending the weights and gradients (a few MB) between threads.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  countedTargets,
  type HostBatch,
  replicaLoss,
  type ReplicaModel,
  type ReplicaTask,
  splitRows,
  toTensors,
} from "./replica_task.ts";

/** A message from this thread to a worker. */
export type ToWorker =
  | { type: "init"; task: ReplicaTask; names: string[]; weights: Float32Array }
  | { type: "weights"; weights: Float32Array }
  | { type: "gradients"; batch: HostBatch };

/** A message from a worker to this thread. */
export type FromWorker =
  | { type: "ready" }
  | { type: "error"; message: string }
  | { type: "gradients"; loss: number; present: boolean[]; gradients: Float32Array };

/** The loss and mean gradients of a batch (by parameter name, as numbers). */
export interface BatchGradients {
  /** Mean loss over the batch's counted targets. */
  loss: number;
  /** Gradients of that loss, by parameter name. */
  gradients: Record<string, Float32Array>;
}

/** The values of `tensors`, one after another, in one new array. */
export function flatten(tensors: readonly tf.Tensor[]): Float32Array {
  const out = new Float32Array(tensors.reduce((n, t) => n + t.size, 0));
  let offset = 0;
  for (const t of tensors) {
    out.set(t.dataSync() as Float32Array, offset);
    offset += t.size;
  }
  return out;
}

/** Set `variables` from `flat` (as made by {@link flatten}), checking its length. */
export function assignFlat(variables: readonly tf.Variable[], flat: Float32Array): void {
  const size = variables.reduce((n, v) => n + v.size, 0);
  if (flat.length !== size) {
    throw new RangeError(`expected ${size} weights, got ${flat.length}`);
  }
  let offset = 0;
  tf.tidy(() => {
    for (const v of variables) {
      v.assign(tf.tensor(flat.subarray(offset, offset + v.size), v.shape, "float32"));
      offset += v.size;
    }
  });
}

/**
 * The loss of `model` on a shard, as one step of `task` computes it, and its gradients with
 * respect to `variables` (by variable name, as `tf.variableGrads` gives them; the caller
 * disposes them).
 */
function lossAndGradients(
  task: ReplicaTask,
  model: ReplicaModel,
  variables: tf.Variable[],
  batch: HostBatch,
): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  return tf.tidy(() => {
    const tensors = toTensors(batch);
    return tf.variableGrads(() => replicaLoss(task, model, tensors), variables);
  });
}

/**
 * A worker's answer to a shard: its loss and gradients flattened for posting — which
 * parameters got a gradient, and their values in parameter order (zeros for those that did not).
 */
export function shardGradients(
  task: ReplicaTask,
  model: ReplicaModel,
  batch: HostBatch,
): { loss: number; present: boolean[]; gradients: Float32Array } {
  let result: { loss: number; present: boolean[]; gradients: Float32Array } | undefined;
  // The typed array is kept out of tidy's return value: tidy would walk it number by number.
  tf.tidy(() => {
    const variables = [...model.parameters().values()];
    const { value, grads } = lossAndGradients(task, model, variables, batch);
    result = {
      loss: value.dataSync()[0],
      present: variables.map((v) => grads[v.name] !== undefined),
      gradients: flatten(variables.map((v) => grads[v.name] ?? tf.zerosLike(v))),
    };
  });
  return result!;
}

/** A request sent to a worker and not yet answered. */
interface Pending {
  resolve(reply: FromWorker): void;
  reject(error: Error): void;
}

/** This thread and `shards − 1` workers computing the gradients of each batch together. */
export class DataParallel {
  readonly #task: ReplicaTask;
  readonly #model: ReplicaModel;
  readonly #names: string[];
  readonly #variables: tf.Variable[];
  readonly #workers: Worker[] = [];
  readonly #pending: (Pending | undefined)[] = [];
  #failure: Error | undefined;

  private constructor(task: ReplicaTask, model: ReplicaModel) {
    this.#task = task;
    this.#model = model;
    const parameters = model.parameters();
    this.#names = [...parameters.keys()];
    this.#variables = [...parameters.values()];
  }

  /**
   * Start `shards − 1` workers, each with a replica of `model` (its current weights) for `task`.
   * Resolves when all are ready; `close()` ends them.
   */
  static async start(
    task: ReplicaTask,
    model: ReplicaModel,
    shards: number,
  ): Promise<DataParallel> {
    if (!Number.isInteger(shards) || shards < 1) {
      throw new RangeError(`shards must be a positive integer, got ${shards}`);
    }
    const parallel = new DataParallel(task, model);
    try {
      const weights = flatten(parallel.#variables);
      const ready = [];
      for (let i = 1; i < shards; i++) {
        ready.push(parallel.#startWorker({ type: "init", task, names: parallel.#names, weights }));
      }
      await Promise.all(ready);
    } catch (error) {
      parallel.close();
      throw error;
    }
    return parallel;
  }

  /** The number of shards a batch is split into: this thread and the workers. */
  get shards(): number {
    return this.#workers.length + 1;
  }

  /** The loss and mean gradients of `batch`, its shards computed at the same time. */
  async gradients(batch: HostBatch): Promise<BatchGradients> {
    const shards = splitRows(batch, this.shards);
    const replies = shards.slice(1).map((shard, i) =>
      this.#request(i, { type: "gradients", batch: shard })
    );
    const weights = shards.map((shard) => countedTargets(this.#task, shard));
    const total = Math.max(1, weights.reduce((a, b) => a + b, 0));
    const own = lossAndGradients(this.#task, this.#model, this.#variables, shards[0]);
    try {
      const answers = await Promise.all(replies);
      let loss = (weights[0] / total) * own.value.dataSync()[0];
      const others = answers.map((answer, i) => {
        if (answer.type !== "gradients") throw new Error(`worker answered ${answer.type}`);
        loss += (weights[i + 1] / total) * answer.loss;
        return { ...answer, share: weights[i + 1] / total };
      });
      // The weighted mean, parameter by parameter, of the shards that gave it a gradient.
      const gradients: Record<string, Float32Array> = {};
      let offset = 0;
      this.#variables.forEach((v, index) => {
        const mine = own.grads[v.name];
        const parts: { values: Float32Array; share: number }[] = [];
        if (mine !== undefined) {
          parts.push({ values: mine.dataSync() as Float32Array, share: weights[0] / total });
        }
        for (const other of others) {
          if (!other.present[index]) continue;
          parts.push({
            values: other.gradients.subarray(offset, offset + v.size),
            share: other.share,
          });
        }
        if (parts.length > 0) {
          const sum = new Float32Array(v.size);
          for (const { values, share } of parts) {
            for (let i = 0; i < sum.length; i++) sum[i] += share * values[i];
          }
          gradients[this.#names[index]] = sum;
        }
        offset += v.size;
      });
      return { loss, gradients };
    } finally {
      tf.dispose([own.value, ...Object.values(own.grads)]);
    }
  }

  /** Send this thread's current weights to the replicas (after each update). */
  broadcast(): void {
    if (this.#workers.length === 0) return;
    const weights = flatten(this.#variables);
    for (const worker of this.#workers) worker.postMessage({ type: "weights", weights });
  }

  /** End the workers. */
  close(): void {
    for (const worker of this.#workers) worker.terminate();
    this.#workers.length = 0;
    const error = new Error("data-parallel training was closed");
    this.#pending.forEach((p) => p?.reject(error));
    this.#pending.length = 0;
  }

  #startWorker(init: ToWorker): Promise<FromWorker> {
    const index = this.#workers.length;
    const worker = new Worker(new URL("./gradient_worker.ts", import.meta.url).href, {
      type: "module",
    });
    this.#workers.push(worker);
    worker.onmessage = (event: MessageEvent<FromWorker>) => {
      const pending = this.#pending[index];
      this.#pending[index] = undefined;
      if (event.data.type === "error") {
        pending?.reject(new Error(`gradient worker ${index + 1}: ${event.data.message}`));
      } else {
        pending?.resolve(event.data);
      }
    };
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      this.#failure = new Error(`gradient worker ${index + 1} failed: ${event.message}`);
      this.#pending[index]?.reject(this.#failure);
      this.#pending[index] = undefined;
    };
    return this.#request(index, init);
  }

  #request(index: number, message: ToWorker): Promise<FromWorker> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#pending[index] = { resolve, reject };
      this.#workers[index].postMessage(message);
    });
  }
}
