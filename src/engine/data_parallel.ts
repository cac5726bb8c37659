/**
 * Data-parallel training on the cores of one machine. TensorFlow.js's wasm backend computes on
 * one thread, so a step uses one core. Here each batch is split by rows into shards: this thread
 * computes the gradients of the first shard while worker threads, each holding a replica of the
 * model (`gradient_worker.ts`), compute the others at the same time. Which model, and which
 * loss, a {@link ReplicaJob} says as data (`replica.ts`); the model's kind comes from the
 * registry the job names, so every thread computes the same loss the same way. The shards' mean gradients
 * are averaged, weighted by how many targets each shard counts, which gives the batch's mean
 * gradient: the same step as on one thread, up to float rounding. After the optimizer's update
 * the new weights are sent to the replicas. Frozen parameters (`trainable` false, named in the
 * job so each replica freezes the same ones) get no gradient on any thread.
 *
 * The numbers travel through memory the threads share (`SharedArrayBuffer`), not in messages:
 * this thread writes the weights once into a shared array and each worker copies them into its
 * replica at its next shard; a worker writes its gradients and loss into its own shared arrays
 * and raises a flag, which this thread waits for with `Atomics.wait`. Only the small request (the
 * shard's token ids) is a message: a message would copy the weights twice a step, on this thread
 * and on the worker, before the worker could start.
 *
 * Combining the shards and the update stay on this thread, so two threads take more than half
 * the time of one; it pays when a shard's work is far larger than sending the weights and
 * gradients (a few MB) between threads.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { requirePositiveInteger } from "../runtime/checks.ts";
import { rng } from "../runtime/random.ts";
import { fusedKernelsInUse } from "./fast_ops.ts";
import { readNumbers, writeNumbers } from "./tensor_numbers.ts";
import {
  type HostBatch,
  kindOf,
  type RegistryModule,
  type Replica,
  type ReplicaJob,
  type ReplicaKind,
  requireBatchNames,
  splitRows,
  toTensors,
} from "./replica.ts";

/**
 * The memory one worker shares with this thread, every array over a `SharedArrayBuffer`.
 * `weights` is the same for all workers; the rest is each worker's own.
 */
export interface SharedSlots {
  /** The model's weights in parameter order, written by this thread after each update. */
  weights: Float32Array;
  /** The worker's gradients in parameter order (zeros where a parameter got none). */
  gradients: Float32Array;
  /** 1 where the parameter got a gradient, 0 where not. */
  present: Uint8Array;
  /** `[loss]` of the worker's last shard. */
  loss: Float64Array;
  /** `[state]`: {@link WORKING}, {@link DONE} or {@link FAILED}, waited on with `Atomics`. */
  state: Int32Array;
}

/** A worker's state while it computes a shard. */
export const WORKING = 0;
/** A worker's state when its shard's gradients and loss are in its slots. */
export const DONE = 1;
/** A worker's state when its shard failed (the reason follows as an `error` message). */
export const FAILED = 2;

/**
 * A message from this thread to a worker. `init`'s `seed` re-seeds the worker's course-wide
 * generator once its replica is built, so that what a shard draws (dropout masks) differs from
 * this thread's draws and from the other workers'; `fusedKernels` is this thread's setting.
 */
export type ToWorker =
  | {
    type: "init";
    job: ReplicaJob;
    names: string[];
    slots: SharedSlots;
    seed: number;
    fusedKernels: boolean;
  }
  | { type: "gradients"; batch: HostBatch; weightsVersion: number };

/** A message from a worker to this thread. */
export type FromWorker =
  | { type: "ready" }
  | { type: "error"; message: string };

/** The loss and mean gradients of a batch (by parameter name, as numbers). */
export interface BatchGradients {
  /** Mean loss over the batch's counted targets. */
  loss: number;
  /** Gradients of that loss, by parameter name. */
  gradients: Record<string, Float32Array>;
}

/** Write the values of `tensors`, one after another, into `out` (which must fit them exactly). */
function flattenInto(tensors: readonly tf.Tensor[], out: Float32Array): void {
  const size = tensors.reduce((n, t) => n + t.size, 0);
  if (out.length !== size) {
    throw new RangeError(`expected room for ${size} numbers, got ${out.length}`);
  }
  let offset = 0;
  for (const t of tensors) {
    out.set(readNumbers(t), offset);
    offset += t.size;
  }
}

/**
 * Set `variables` from `flat` (as made by {@link flattenInto}), checking its length; `flat` may
 * change afterwards (shared memory): each variable keeps a copy or is overwritten in place.
 */
export function assignFlat(variables: readonly tf.Variable[], flat: Float32Array): void {
  const size = variables.reduce((n, v) => n + v.size, 0);
  if (flat.length !== size) {
    throw new RangeError(`expected ${size} weights, got ${flat.length}`);
  }
  let offset = 0;
  for (const v of variables) {
    writeNumbers(v, flat.subarray(offset, offset + v.size));
    offset += v.size;
  }
}

/** The kind `job` names, from the registry module it names (imported once per thread). */
export async function loadKind(job: ReplicaJob): Promise<ReplicaKind> {
  const registry = (await import(job.registry)) as RegistryModule;
  return kindOf(registry.MODEL_KINDS, job);
}

/** A job with its kind loaded: what each thread computes a shard with. */
export interface LoadedJob {
  /** The job as data. */
  job: ReplicaJob;
  /** Its kind, from the registry. */
  kind: ReplicaKind;
}

/**
 * The loss of `model` on a shard, as one step of the job computes it, and its gradients with
 * respect to `variables` (by variable name, as `tf.variableGrads` gives them; the caller
 * disposes them).
 */
function lossAndGradients(
  { job, kind }: LoadedJob,
  model: Replica,
  variables: tf.Variable[],
  batch: HostBatch,
): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  requireBatchNames(kind, job.kind, batch);
  return tf.tidy(() => {
    const tensors = toTensors(batch);
    return tf.variableGrads(() => kind.loss(model, tensors, job.options, job.config), variables);
  });
}

/**
 * A worker's answer to a shard, written into its `slots`: the loss, which parameters got a
 * gradient, and those gradients at their parameters' offsets. A parameter that got none (a
 * frozen one, say) is flagged so and its slot left as it was: nothing reads it.
 */
export function shardGradients(
  loaded: LoadedJob,
  model: Replica,
  batch: HostBatch,
  slots: Pick<SharedSlots, "gradients" | "present" | "loss">,
): void {
  tf.tidy(() => {
    const variables = [...model.parameters().values()];
    const trainable = variables.filter((v) => v.trainable);
    const { value, grads } = lossAndGradients(loaded, model, trainable, batch);
    slots.loss[0] = value.dataSync()[0];
    let offset = 0;
    variables.forEach((v, i) => {
      const gradient = grads[v.name];
      slots.present[i] = gradient === undefined ? 0 : 1;
      if (gradient !== undefined) slots.gradients.set(readNumbers(gradient), offset);
      offset += v.size;
    });
  });
}

/** One worker's shared arrays for a model of `parameters` parameters, the weights array given. */
function sharedSlots(weights: Float32Array, parameters: number): SharedSlots {
  return {
    weights,
    gradients: new Float32Array(new SharedArrayBuffer(4 * weights.length)),
    present: new Uint8Array(new SharedArrayBuffer(parameters)),
    loss: new Float64Array(new SharedArrayBuffer(8)),
    state: new Int32Array(new SharedArrayBuffer(4)),
  };
}

/** How long this thread blocks waiting for a worker before it lets its event loop run. */
const WAIT_SLICE_MS = 500;

/** A request sent to a worker and not yet answered. */
interface Pending {
  resolve(reply: FromWorker): void;
  reject(error: Error): void;
}

/**
 * The seed of worker `index` (1, 2, …): a stream of its own, derived from the course's generator
 * as it stands (so it follows the run's seed) without drawing from it.
 */
export function workerSeed(index: number): number {
  return rng.derivedSeed(index);
}

/** The most threads a step may be split over: far more than the cores of a laptop. */
export const MAX_SHARDS = 64;

/** This thread and `shards − 1` workers computing the gradients of each batch together. */
export class DataParallel {
  readonly #loaded: LoadedJob;
  readonly #model: Replica;
  readonly #names: string[];
  readonly #variables: tf.Variable[];
  /** Which parameters train, as the workers were told at the start. */
  readonly #trainable: boolean[];
  readonly #workers: Worker[] = [];
  readonly #slots: SharedSlots[] = [];
  readonly #pending: (Pending | undefined)[] = [];
  readonly #weights: Float32Array;
  #weightsVersion = 0;
  #failure: Error | undefined;

  private constructor(loaded: LoadedJob, model: Replica) {
    this.#loaded = loaded;
    this.#model = model;
    const parameters = model.parameters();
    this.#names = [...parameters.keys()];
    this.#variables = [...parameters.values()];
    this.#trainable = this.#variables.map((v) => v.trainable);
    const frozen = this.#names.filter((_, i) => !this.#trainable[i]);
    if (frozen.join() !== (loaded.job.frozen ?? []).join()) {
      throw new Error(
        `the job names frozen parameters [${loaded.job.frozen ?? []}], but the model's frozen ` +
          `ones are [${frozen}]: every thread must freeze the same parameters`,
      );
    }
    const size = this.#variables.reduce((n, v) => n + v.size, 0);
    this.#weights = new Float32Array(new SharedArrayBuffer(4 * size));
  }

  /**
   * Start `shards − 1` workers, each with a replica of `model` (its current weights) for `job`.
   * Resolves when all are ready; `close()` ends them.
   */
  static async start(job: ReplicaJob, model: Replica, shards: number): Promise<DataParallel> {
    requirePositiveInteger("shards", shards, MAX_SHARDS);
    const parallel = new DataParallel({ job, kind: await loadKind(job) }, model);
    try {
      flattenInto(parallel.#variables, parallel.#weights);
      const ready = [];
      for (let i = 1; i < shards; i++) {
        const slots = sharedSlots(parallel.#weights, parallel.#names.length);
        parallel.#slots.push(slots);
        ready.push(parallel.#startWorker({
          type: "init",
          job,
          names: parallel.#names,
          slots,
          seed: workerSeed(i),
          fusedKernels: fusedKernelsInUse(),
        }));
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

  /**
   * The loss and mean gradients of `batch`, its shards computed at the same time. If a shard
   * fails, the error is thrown once every worker has finished with this batch, so the next call
   * starts clean.
   */
  async gradients(batch: HostBatch): Promise<BatchGradients> {
    if (this.#variables.some((v, i) => v.trainable !== this.#trainable[i])) {
      throw new Error(
        "a parameter was frozen or unfrozen after the threads started; the workers still train " +
          "the old set: close these threads and start new ones",
      );
    }
    const shards = splitRows(batch, this.shards);
    const { job, kind } = this.#loaded;
    shards.forEach((shard) => requireBatchNames(kind, job.kind, shard));
    const counts = shards.map((shard) => kind.countedTargets(shard, job.options, job.config));
    const total = Math.max(1, counts.reduce((a, b) => a + b, 0));
    const shares = counts.map((count) => count / total);
    const working = shards.slice(1).map((shard, i) => {
      Atomics.store(this.#slots[i].state, 0, WORKING);
      const failed = this.#request(i, {
        type: "gradients",
        batch: shard,
        weightsVersion: this.#weightsVersion,
      });
      failed.catch(() => {}); // read below, once the worker's state says FAILED
      return failed;
    });
    let mine: ReturnType<typeof lossAndGradients> | undefined;
    try {
      const trainable = this.#variables.filter((v) => v.trainable);
      const own = mine = lossAndGradients(this.#loaded, this.#model, trainable, shards[0]);
      for (let i = 0; i < working.length; i++) await this.#finished(i, working[i]);
      let loss = shares[0] * own.value.dataSync()[0];
      const others = working.map((_, i) => {
        const slots = this.#slots[i];
        loss += shares[i + 1] * slots.loss[0];
        return { slots, share: shares[i + 1] };
      });
      // The weighted mean, parameter by parameter, of the shards that gave it a gradient, all
      // in one new array.
      const gradients: Record<string, Float32Array> = {};
      const combined = new Float32Array(this.#weights.length);
      let offset = 0;
      this.#variables.forEach((v, index) => {
        const ownGradient = own.grads[v.name];
        const parts: { values: Float32Array; share: number }[] = [];
        if (ownGradient !== undefined) {
          parts.push({ values: readNumbers(ownGradient), share: shares[0] });
        }
        for (const other of others) {
          if (other.slots.present[index] === 0) continue;
          parts.push({
            values: other.slots.gradients.subarray(offset, offset + v.size),
            share: other.share,
          });
        }
        if (parts.length > 0) {
          const sum = combined.subarray(offset, offset + v.size);
          for (const { values, share } of parts) {
            for (let i = 0; i < sum.length; i++) sum[i] += share * values[i];
          }
          gradients[this.#names[index]] = sum;
        }
        offset += v.size;
      });
      return { loss, gradients };
    } catch (error) {
      for (let i = 0; i < working.length; i++) {
        await this.#finished(i, working[i]).catch(() => {}); // each worker done with this batch
      }
      throw error;
    } finally {
      if (mine !== undefined) tf.dispose([mine.value, ...Object.values(mine.grads)]);
    }
  }

  /** Give the replicas this thread's current weights (after each update). */
  broadcast(): void {
    if (this.#workers.length === 0) return;
    flattenInto(this.#variables, this.#weights);
    this.#weightsVersion++;
  }

  /**
   * Wait until worker `index` has written its shard's results, blocking this thread on the
   * worker's state word, but letting the event loop run every {@link WAIT_SLICE_MS}, so that a
   * worker that died (or `close()`) is noticed.
   */
  async #finished(index: number, failed: Promise<FromWorker>): Promise<void> {
    const state = this.#slots[index].state;
    while (Atomics.load(state, 0) === WORKING) {
      if (this.#failure !== undefined) throw this.#failure;
      if (Atomics.wait(state, 0, WORKING, WAIT_SLICE_MS) === "timed-out") {
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    }
    if (Atomics.load(state, 0) === FAILED) {
      await failed; // rejects with the worker's message
      throw new Error(`gradient worker ${index + 1} failed without saying why`);
    }
    this.#pending[index] = undefined;
  }

  /** End the workers. */
  close(): void {
    for (const worker of this.#workers) worker.terminate();
    this.#workers.length = 0;
    const error = new Error("data-parallel training was closed");
    this.#failure ??= error; // a step still waiting on a worker ends with it
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
