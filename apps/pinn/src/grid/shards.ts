/**
 * Shards: one file per task, written last and atomically (temp file, fsync,
 * rename, then fsync of the directory), so a task is committed exactly when
 * its shard exists and validates. A worker killed mid-task leaves no shard;
 * rerunning the task overwrites nothing another task owns, because each task
 * has its own path.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '@sublora/tensor';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';
import { TASK_KINDS, type Task, type TaskList, shardPath, tasksById } from './task-list';

export const SHARD_FORMAT = 'sublora-pinn-shard/1';

/** What a worker records for a task. `result` is the stage's JSON result. */
export interface Shard {
  readonly format: typeof SHARD_FORMAT;
  readonly taskId: string;
  readonly kind: Task['kind'];
  readonly status: 'ok' | 'failed';
  readonly result: unknown;
  /** One-line reason, for `failed`. */
  readonly error?: string;
  readonly seconds: number;
}

const shardSchema = z.object({
  format: z.literal(SHARD_FORMAT),
  taskId: z.string(),
  kind: z.enum(TASK_KINDS),
  status: z.enum(['ok', 'failed']),
  result: z.unknown(),
  error: z.string().optional(),
  seconds: z.number().nonnegative(),
});

function fsyncDirectory(dir: string): void {
  // Not every platform can open a directory for fsync (Windows); the rename
  // is atomic there all the same, only its durability is weaker.
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    /* best effort, see above */
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Writes the task's shard atomically and returns its absolute path. */
export function writeShard(
  runDir: string,
  task: Task,
  outcome: Pick<Shard, 'status' | 'result' | 'error' | 'seconds'>,
): string {
  const file = path.join(runDir, shardPath(task));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const shard: Shard = { format: SHARD_FORMAT, taskId: task.id, kind: task.kind, ...outcome };
  writeFileAtomic.sync(file, `${JSON.stringify(shard, null, 2)}\n`, { fsync: true });
  fsyncDirectory(path.dirname(file));
  return file;
}

/**
 * The task's shard, or undefined when there is none yet. Throws a one-line
 * error when the file exists but is not a shard of this task.
 */
export function readShard(runDir: string, task: Task): Shard | undefined {
  const rel = shardPath(task);
  let text: string;
  try {
    text = fs.readFileSync(path.join(runDir, rel), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new InputError(rel, `not JSON; delete it and rerun task ${task.id}`);
  }
  const parsed = shardSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(
      rel,
      `${issue.path.join('.') || '(root)'}: ${issue.message}; delete it and rerun task ${task.id}`,
    );
  }
  if (parsed.data.taskId !== task.id || parsed.data.kind !== task.kind) {
    throw new InputError(rel, `belongs to task ${parsed.data.taskId}, not ${task.id}`);
  }
  return parsed.data as Shard;
}

/** True when the task finished successfully: its shard says `ok` and every other output exists. */
export function isCommitted(runDir: string, task: Task): boolean {
  const shard = readShard(runDir, task);
  if (shard === undefined || shard.status !== 'ok') return false;
  return task.outputs.every((out) => fs.existsSync(path.join(runDir, out)));
}

/** Time, injectable so tests need no real waiting. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** How long to wait for a task's inputs. */
export interface WaitOptions {
  readonly timeoutMs: number;
  readonly pollMs: number;
  readonly clock?: Clock;
}

/**
 * Waits until every input of `task` is committed, polling every `pollMs`.
 * Throws at once when an input's shard says it failed, and after `timeoutMs`
 * with the list of inputs still missing.
 */
export async function waitForInputs(
  runDir: string,
  list: TaskList,
  task: Task,
  { timeoutMs, pollMs, clock = realClock }: WaitOptions,
): Promise<void> {
  const byId = tasksById(list);
  const inputs = task.inputs.map((id) => {
    const input = byId.get(id);
    if (input === undefined) throw new Error(`task ${task.id}: input ${id} is not in tasks.json`);
    return input;
  });
  const start = clock.now();
  for (;;) {
    const missing: Task[] = [];
    for (const input of inputs) {
      const shard = readShard(runDir, input);
      if (shard?.status === 'failed') {
        throw new Error(
          `task ${task.id} (${task.kind}): input ${input.id} (${input.kind}) failed: ${shard.error ?? 'no reason given'}; rerun phase ${input.phase} index ${input.index}`,
        );
      }
      if (!isCommitted(runDir, input)) missing.push(input);
    }
    if (missing.length === 0) return;
    const waited = clock.now() - start;
    if (waited >= timeoutMs) {
      const names = missing.map((m) => `${m.id} (phase ${m.phase} index ${m.index})`).join(', ');
      throw new Error(
        `task ${task.id} (${task.kind}) waited ${Math.round(waited / 1000)} s for inputs not yet committed: ${names}; run the earlier phase first or allow a longer wait`,
      );
    }
    await clock.sleep(Math.min(pollMs, timeoutMs - waited));
  }
}
