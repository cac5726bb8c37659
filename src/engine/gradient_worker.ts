/**
 * The worker side of data-parallel training (`engine/data_parallel.ts`): a thread with its own
 * TensorFlow.js and a replica of the model. It answers `init` (load the job's model kind from
 * the registry it names, build the replica, take the weights from the shared array, re-seed the
 * thread's generator with the seed it was given) with `ready`. For `gradients` (a shard of a
 * batch) it first
 * copies the shared weights into the replica if they changed since its last shard, then writes
 * the shard's loss and gradients into its shared slots and sets its state to `DONE` (or, on an
 * error, to `FAILED` and posts the reason). Messages are handled one at a time, in order.
 *
 * Started by {@link DataParallel}; not part of the course's public API.
 *
 * @module
 */
import { setSeed } from "../runtime/random.ts";
import { initCourse } from "./init.ts";
import {
  assignFlat,
  DONE,
  FAILED,
  type FromWorker,
  type LoadedJob,
  loadKind,
  shardGradients,
  type SharedSlots,
  type ToWorker,
} from "./data_parallel.ts";
import type { Replica } from "./replica.ts";

/** What this module needs of the worker's global scope. */
interface WorkerScope {
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker): void;
}

const scope = globalThis as unknown as WorkerScope;
let replica: { loaded: LoadedJob; model: Replica; slots: SharedSlots } | undefined;
/** The version of the shared weights the replica holds. */
let weightsVersion = 0;
let queue: Promise<void> = Promise.resolve();

/** Set `state` and wake the thread waiting on it. */
function signal(state: Int32Array, value: number): void {
  Atomics.store(state, 0, value);
  Atomics.notify(state, 0);
}

async function handle(message: ToWorker): Promise<void> {
  if (message.type === "init") {
    await initCourse({ fusedKernels: message.fusedKernels });
    const { job } = message;
    const kind = await loadKind(job);
    const model = kind.build(job.config);
    const names = [...model.parameters().keys()];
    if (names.join() !== message.names.join()) {
      throw new Error(`the replica's parameters (${names.length}) differ from the model's`);
    }
    assignFlat([...model.parameters().values()], message.slots.weights);
    const frozen = new Set(job.frozen ?? []);
    const unknown = [...frozen].filter((name) => !names.includes(name));
    if (unknown.length > 0) {
      throw new Error(`the job freezes parameters the replica lacks: ${unknown}`);
    }
    for (const [name, variable] of model.parameters()) variable.trainable = !frozen.has(name);
    setSeed(message.seed); // after building: the replica's own initial weights are overwritten
    replica = { loaded: { job, kind }, model, slots: message.slots };
    scope.postMessage({ type: "ready" });
    return;
  }
  if (replica === undefined) throw new Error(`"${message.type}" before "init"`);
  const { loaded, model, slots } = replica;
  try {
    if (message.weightsVersion !== weightsVersion) {
      assignFlat([...model.parameters().values()], slots.weights);
      weightsVersion = message.weightsVersion;
    }
    shardGradients(loaded, model, message.batch, slots);
  } catch (error) {
    signal(slots.state, FAILED);
    throw error;
  }
  signal(slots.state, DONE);
}

scope.onmessage = (event) => {
  queue = queue.then(() => handle(event.data)).catch((error: unknown) => {
    const message = error instanceof Error ? error.stack ?? error.message : String(error);
    scope.postMessage({ type: "error", message });
  });
};
