/**
 * What the cluster executors share: the resources a worker asks for, the
 * files they generate and how the worker is invoked.
 */
import { InputError } from '@sublora/tensor';
import type { TaskList } from './task-list';

/** Resources and time limit of one worker (one task). */
export interface WorkerResources {
  readonly cpus: number;
  readonly memoryMiB: number;
  /** Wall-clock limit per task. */
  readonly timeMinutes: number;
  /** GPUs per worker; 0 or absent for none. */
  readonly gpus?: number;
}

/** A generated file, relative to the directory the executor writes into. */
export interface GeneratedFile {
  readonly path: string;
  readonly content: string;
  /** True for scripts to mark executable. */
  readonly executable: boolean;
}

/** An executor's output: its files and the command that starts the grid. */
export interface ExecutorPlan {
  readonly files: readonly GeneratedFile[];
  /** Shell command to run from the directory holding the files. */
  readonly submit: string;
}

/** The worker command before its `--run`, `--phase` and `--threads` arguments. */
export const DEFAULT_WORKER: readonly string[] = ['sublora-pinn', 'worker'];

/**
 * The command line of phase `phase`'s workers: `worker`, then `--run`,
 * `--phase` and `--threads` with the task's CPUs, so the engine's thread
 * pool matches the allotment (a Slurm cpuset limits it anyway; a Kubernetes
 * CPU limit is a time quota, not a CPU set, and a worker left to count the
 * node's CPUs would start more spinning threads than it may run).
 */
export function workerCommandLine(
  worker: readonly string[],
  runDir: string,
  phase: number,
  resources: WorkerResources,
): string[] {
  return [
    ...worker,
    '--run',
    runDir,
    '--phase',
    String(phase),
    '--threads',
    String(resources.cpus),
  ];
}

/** Quotes one word for POSIX shells (single quotes; `'` as `'\''`). */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Checks the options every executor shares; one-line errors naming the option. */
export function checkCommon(list: TaskList, parallel: number, resources: WorkerResources): void {
  if (list.phases.length === 0)
    throw new InputError('tasks.json', 'the task list is empty; rerun `plan`');
  if (!Number.isInteger(parallel) || parallel < 1) {
    throw new InputError('--parallel', `${parallel}: use a whole number >= 1`);
  }
  const { cpus, memoryMiB, timeMinutes, gpus = 0 } = resources;
  for (const [name, v] of [
    ['cpus', cpus],
    ['memoryMiB', memoryMiB],
    ['timeMinutes', timeMinutes],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new InputError(`resources.${name}`, `${v}: use a whole number >= 1`);
    }
  }
  if (!Number.isInteger(gpus) || gpus < 0) {
    throw new InputError('resources.gpus', `${gpus}: use a whole number >= 0`);
  }
}
