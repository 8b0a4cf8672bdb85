/**
 * Which task a worker runs: `--index` when given, else the index the
 * scheduler put in the environment (Kubernetes Indexed Jobs set
 * `JOB_COMPLETION_INDEX`, Slurm job arrays `SLURM_ARRAY_TASK_ID`).
 */
import { InputError } from '@sublora/tensor';

/** Where a worker's index came from, in the order they are tried. */
export const INDEX_SOURCES = ['--index', 'JOB_COMPLETION_INDEX', 'SLURM_ARRAY_TASK_ID'] as const;
export type IndexSource = (typeof INDEX_SOURCES)[number];

/** A resolved index and where it came from (for the log). */
export interface WorkerIndex {
  readonly index: number;
  readonly source: IndexSource;
}

/**
 * Resolves the worker's index. `flag` is the raw `--index` value (undefined
 * when absent); `count`, when given, bounds it (the number of tasks in the
 * phase). Throws a one-line error naming the source and the fix.
 */
export function resolveWorkerIndex(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  count?: number,
): WorkerIndex {
  const found = INDEX_SOURCES.map((source) => ({
    source,
    raw: source === '--index' ? flag : env[source],
  })).find(({ raw }) => raw !== undefined && raw !== '');
  if (found === undefined) {
    throw new InputError(
      '--index',
      'no task index; pass --index I, or run under a Kubernetes Indexed Job (JOB_COMPLETION_INDEX) or a Slurm job array (SLURM_ARRAY_TASK_ID)',
    );
  }
  const raw = (found.raw as string).trim();
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new InputError(
      found.source,
      `${JSON.stringify(found.raw)} is not a task index; use a whole number 0, 1, 2, ...`,
    );
  }
  const index = Number(raw);
  if (count !== undefined && index >= count) {
    throw new InputError(
      found.source,
      `${index} is out of range: this phase has ${count} tasks (0..${count - 1}); check the array size (--array / completions) against tasks.json`,
    );
  }
  return { index, source: found.source };
}
