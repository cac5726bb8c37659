/**
 * What the `deno task train:*` scripts share: reading `--steps N` and `--out PATH`, printing
 * each validation measurement, and saving the checkpoint with the run's history.
 *
 * @module
 */
import {
  type CheckpointInfo,
  fusedKernelsInUse,
  type Module,
  saveCheckpoint,
  type Schedule,
  type TrainingRecord,
  type TrainingResult,
  type TrainingSettings,
  withSteps,
} from "../src/mod.ts";

/** The value after `--name` on the command line, if given. */
export function option(name: string): string | undefined {
  const at = Deno.args.indexOf(name);
  return at >= 0 ? Deno.args[at + 1] : undefined;
}

/**
 * A recipe's settings with `--steps N` applied (the schedule is shortened to match) and
 * `--lr X` (the peak learning rate, for experiments), and the output path: `--out PATH`, or
 * `data/<file>`.
 */
export function runSettings<S extends { steps: number; schedule: Schedule }>(
  recipe: S,
  file: string,
): { settings: S; out: string } {
  const shortened = withSteps(recipe, Number(option("--steps") ?? recipe.steps));
  const max = Number(option("--lr") ?? recipe.schedule.max);
  return {
    settings: { ...shortened, schedule: { ...shortened.schedule, max } },
    out: option("--out") ?? new URL(`../data/${file}`, import.meta.url).pathname,
  };
}

/** Print a step's record when it has a validation measurement. */
export function logValidation(r: TrainingRecord): void {
  if (r.val === undefined) return;
  console.log(
    `step ${String(r.step + 1).padStart(5)}  train ${r.train.toFixed(4)}  val ${
      r.val.toFixed(4)
    }  lr ${r.learningRate.toExponential(2)}  ${(performance.now() / 1000).toFixed(0)} s`,
  );
}

/**
 * Save `model` to `out` with the run's facts in the metadata: the command that made it, steps,
 * seed, time per step, backend, threads, whether attention and cross-entropy ran by the engine's
 * kernels, `extra` figures, and the loss curve (every 10th step and every
 * validation), for a lesson to draw without training.
 */
export async function saveRun(
  out: string,
  model: Module,
  info: Omit<CheckpointInfo, "metadata"> & {
    made: string;
    seed: number;
    backend: string;
    settings: Pick<TrainingSettings, "shards" | "fusedKernels">;
    result: TrainingResult;
    extra: Record<string, unknown>;
  },
): Promise<void> {
  const steps = info.result.history.length;
  await saveCheckpoint(out, model, {
    kind: info.kind,
    config: info.config,
    tokenizer: info.tokenizer,
    metadata: {
      made: info.made,
      steps,
      seed: info.seed,
      ...info.extra,
      seconds: info.result.seconds,
      msPerStep: (1000 * info.result.seconds) / steps,
      backend: info.backend,
      threads: info.settings.shards ?? 1,
      fusedKernels: info.settings.fusedKernels ?? fusedKernelsInUse(),
      history: info.result.history.filter((r) => r.step % 10 === 0 || r.val !== undefined),
    },
  });
  console.log(`saved ${out}`);
}
