/**
 * `merge`: the results of a grid from its shards. Builds `results.json` in
 * task order (so a grid run by any number of workers merges to the same
 * file), concatenates the per-task metrics into `metrics.jsonl`, and says
 * which tasks are missing or failed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { writeReport } from '../report';
import { type Results, emptyResults, writeResults } from '../results';
import { readShard } from './shards';
import type { Task, TaskList } from './task-list';
import { recordResult } from './worker';

/** What a merge found. */
export interface MergeOutcome {
  readonly results: Results;
  readonly done: number;
  readonly missing: readonly Task[];
  readonly failed: readonly { readonly task: Task; readonly error: string }[];
}

/** Collects every committed shard of `list` into one {@link Results}. */
export function mergeShards(runDir: string, list: TaskList): MergeOutcome {
  const results = emptyResults();
  const missing: Task[] = [];
  const failed: { task: Task; error: string }[] = [];
  let done = 0;
  for (const task of list.phases.flat()) {
    const shard = readShard(runDir, task);
    if (shard === undefined) missing.push(task);
    else if (shard.status === 'failed')
      failed.push({ task, error: shard.error ?? 'no reason given' });
    else {
      recordResult(results, task, shard.result);
      done++;
    }
  }
  return { results, done, missing, failed };
}

/**
 * A task's metrics as whole lines, each ending in a newline: a last line
 * without one that is not a JSON record (torn by a crash: the task's rerun
 * rewrites it) is left out rather than glued onto the next task's first
 * record; a complete record that only lacks its newline gets one.
 */
export function wholeLines(text: string): string {
  if (text === '' || text.endsWith('\n')) return text;
  const cut = text.lastIndexOf('\n') + 1;
  const last = text.slice(cut);
  try {
    const record: unknown = JSON.parse(last);
    if (record !== null && typeof record === 'object' && !Array.isArray(record)) return `${text}\n`;
  } catch {
    // torn
  }
  return text.slice(0, cut);
}

/** Writes `metrics.jsonl` as the per-task metrics files in task order. */
export function mergeMetrics(runDir: string, list: TaskList): void {
  const parts = list.phases.flat().map((task) => {
    const file = path.join(runDir, 'metrics', task.id, 'metrics.jsonl');
    return fs.existsSync(file) ? wholeLines(fs.readFileSync(file, 'utf8')) : '';
  });
  writeFileAtomic.sync(path.join(runDir, 'metrics.jsonl'), parts.join(''));
}

/**
 * The PDEs that hold results in `previous` but are not among `pdes`, sorted:
 * `mergeRun` rebuilds `results.json` from the plan's PDEs alone, so a run
 * continued with `--pde elliptic` drops (from the file, not from disk) the
 * others' results, and the command says so.
 */
export function pdesLeftOut(previous: Results, pdes: readonly string[]): string[] {
  const held = [previous.pretrain, previous.finetune, previous.determination, previous.alternating]
    .flatMap((part) => Object.values(part))
    .map((entry) => entry.pde);
  return [...new Set(held)].filter((pde) => !pdes.includes(pde)).sort();
}

/** One line per missing or failed task, for the log. */
export function describeGaps(outcome: MergeOutcome): string[] {
  const where = (t: Task) => `${t.kind} ${t.id} (phase ${t.phase} index ${t.index})`;
  return [
    ...outcome.failed.map(({ task, error }) => `failed: ${where(task)}: ${error}`),
    ...outcome.missing.map((task) => `missing: ${where(task)}`),
  ];
}

/**
 * Merges a run's shards into `results.json` (with the configuration and
 * backend name), `metrics.jsonl` and the report with its plots.
 */
export async function mergeRun(
  runDir: string,
  list: TaskList,
  meta: Pick<Results, 'config' | 'backend'>,
): Promise<MergeOutcome & { report: string; plots: readonly string[] }> {
  const outcome = mergeShards(runDir, list);
  const results: Results = { ...outcome.results, ...meta };
  writeResults(runDir, results);
  mergeMetrics(runDir, list);
  const { report, plots } = await writeReport(runDir, results);
  return { ...outcome, results, report, plots };
}
