/**
 * One grid task in this process: skip it when already committed, wait for
 * its inputs, take its lock, run its stage with the results of its inputs
 * (read from their shards, so nothing upstream is recomputed), and commit
 * the outcome as the task's shard. Metrics go to `metrics/<task id>/`, so
 * workers sharing a run directory never write the same file.
 */
import * as path from 'node:path';
import type { Backend } from '@sublora/tensor';
import type { PinnConfig } from '../config';
import { openMetrics } from '../metrics';
import type { PdeName } from '../pdes';
import type { ProgressStream } from '../progress';
import { type Results, emptyResults, lambdaKey } from '../results';
import { lockRunDirectory } from '../run-lock';
import {
  Interrupted,
  type RunContext,
  ensureFinetuned,
  ensurePretrained,
  runAlternating,
  runDetermination,
} from '../stages';
import { type WaitOptions, readShard, waitForInputs, isCommitted, writeShard } from './shards';
import { type Task, type TaskList, tasksById } from './task-list';

/** What a worker needs besides the task. */
export interface WorkerContext {
  readonly runDir: string;
  readonly list: TaskList;
  readonly config: PinnConfig;
  readonly backend: Backend;
  readonly log: (line: string) => void;
  readonly wait: WaitOptions;
  readonly quiet?: boolean;
  readonly progressStream?: ProgressStream;
  readonly shouldStop?: () => boolean;
}

/** The `results.json` bucket and key a task's result lives under. */
export function resultSlot(task: Task): { bucket: keyof Results & string; key: string } {
  const k = task.key;
  const seed = `seed${k.seed}`;
  if (k.kind === 'pretrain') return { bucket: 'pretrain', key: `${k.pde}/${seed}` };
  const target = lambdaKey(k.target);
  if (k.kind === 'alternate')
    return { bucket: 'alternating', key: `${k.pde}/${target}/${k.method}/${seed}` };
  return {
    bucket: k.kind === 'finetune' ? 'finetune' : 'determination',
    key: `${k.pde}/${target}/${seed}`,
  };
}

/** Puts a task's result where the stages look for it. */
export function recordResult(results: Results, task: Task, result: unknown): void {
  const { bucket, key } = resultSlot(task);
  (results[bucket] as Record<string, unknown>)[key] = result;
}

/** The results of every task `task` depends on, directly or not, from their shards. */
function upstreamResults(ctx: WorkerContext, task: Task): Results {
  const byId = tasksById(ctx.list);
  const results = emptyResults();
  const pending = [...task.inputs];
  while (pending.length > 0) {
    const input = byId.get(pending.pop() as string) as Task;
    recordResult(results, input, readShard(ctx.runDir, input)?.result);
    pending.push(...input.inputs);
  }
  return results;
}

/** Runs the task's stage and returns its result record. */
async function runStage(run: RunContext, task: Task): Promise<unknown> {
  const k = task.key;
  const pde = k.pde as PdeName;
  if (k.kind === 'pretrain') await ensurePretrained(run, pde, k.seed);
  else {
    const lambda = [k.target[0], k.target[1]] as const;
    if (k.kind === 'alternate') await runAlternating(run, pde, k.seed, lambda, k.method);
    else if (k.kind === 'finetune') await ensureFinetuned(run, pde, k.seed, lambda);
    else await runDetermination(run, pde, k.seed, lambda);
  }
  const { bucket, key } = resultSlot(task);
  return (run.results[bucket] as Record<string, unknown>)[key];
}

/**
 * Runs one task to its committed shard.
 * @returns `skipped` when its shard was already committed
 * @throws Interrupted (no shard written: rerunning resumes from its checkpoint), or the stage's error after committing a `failed` shard
 */
export async function runTask(ctx: WorkerContext, task: Task): Promise<'ran' | 'skipped'> {
  const label = `task ${task.id} (${task.kind}, phase ${task.phase} index ${task.index})`;
  if (isCommitted(ctx.runDir, task)) {
    ctx.log(`sublora-pinn: ${label} is already committed; skipping`);
    return 'skipped';
  }
  await waitForInputs(ctx.runDir, ctx.list, task, ctx.wait);
  const release = await lockRunDirectory(
    path.join(ctx.runDir, 'locks', task.id),
    (err) => {
      ctx.log(`sublora-pinn: lost the lock of ${label} (${err.message}); stopping`);
      process.exit(1);
    },
    { key: 'task', fix: `${label} is running there; each task runs in one worker at a time` },
  );
  const started = Date.now();
  try {
    const run: RunContext = {
      config: ctx.config,
      outDir: ctx.runDir,
      backend: ctx.backend,
      metrics: openMetrics(path.join(ctx.runDir, 'metrics', task.id)),
      results: upstreamResults(ctx, task),
      log: ctx.log,
      ...(ctx.quiet !== undefined ? { quiet: ctx.quiet } : {}),
      ...(ctx.progressStream ? { progressStream: ctx.progressStream } : {}),
      ...(ctx.shouldStop ? { shouldStop: ctx.shouldStop } : {}),
      commitResults: () => undefined,
    };
    let result: unknown;
    try {
      result = await runStage(run, task);
    } catch (e) {
      if (e instanceof Interrupted) throw e;
      const error = (e as Error).message.split('\n')[0];
      writeShard(ctx.runDir, task, {
        status: 'failed',
        result: null,
        error,
        seconds: (Date.now() - started) / 1000,
      });
      throw e;
    }
    run.metrics.sync();
    writeShard(ctx.runDir, task, { status: 'ok', result, seconds: (Date.now() - started) / 1000 });
    return 'ran';
  } finally {
    await release();
  }
}
