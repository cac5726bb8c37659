/**
 * The worker side of data-parallel training (`data_parallel.ts`): a thread with its own
 * TensorFlow.js and a replica of the model. It answers `init` (build the replica, take the
 * weights) with `ready`, `gradients` (a shard of a batch) with the shard's loss and gradients,
 * and takes `weights` after each update without answering. Messages are handled one at a time,
 * in order, so new weights always arrive before the next shard.
 *
 * Started by {@link DataParallel}; not part of the course's public API.
 *
 * @module
 */
import { initCourse } from "../runtime/init.ts";
import { assignFlat, type FromWorker, shardGradients, type ToWorker } from "./data_parallel.ts";
import { buildReplica, type ReplicaModel, type ReplicaTask } from "./replica_task.ts";

/** What this module needs of the worker's global scope. */
interface WorkerScope {
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
}

const scope = globalThis as unknown as WorkerScope;
let replica: { task: ReplicaTask; model: ReplicaModel } | undefined;
let queue: Promise<void> = Promise.resolve();

async function handle(message: ToWorker): Promise<void> {
  if (message.type === "init") {
    await initCourse();
    const model = buildReplica(message.task);
    const names = [...model.parameters().keys()];
    if (names.join() !== message.names.join()) {
      throw new Error(`the replica's parameters (${names.length}) differ from the model's`);
    }
    assignFlat([...model.parameters().values()], message.weights);
    replica = { task: message.task, model };
    scope.postMessage({ type: "ready" });
    return;
  }
  if (replica === undefined) throw new Error(`"${message.type}" before "init"`);
  if (message.type === "weights") {
    assignFlat([...replica.model.parameters().values()], message.weights);
    return;
  }
  const reply = shardGradients(replica.task, replica.model, message.batch);
  scope.postMessage({ type: "gradients", ...reply }, [reply.gradients.buffer]);
}

scope.onmessage = (event) => {
  queue = queue.then(() => handle(event.data)).catch((error: unknown) => {
    const message = error instanceof Error ? error.stack ?? error.message : String(error);
    scope.postMessage({ type: "error", message });
  });
};
