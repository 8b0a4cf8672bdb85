/**
 * The `local` executor: the phases of a task list in order, each with up to
 * `parallel` worker processes on this machine (`sublora-pinn worker --run R
 * --phase p --index i`), each worker's output in `logs/`. A phase with a
 * failed task stops the grid before the next one (its tasks would wait on
 * the failed input); finished tasks stay committed, so rerunning continues.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TaskList } from './task-list';

/** How to start workers. */
export interface LocalOptions {
  readonly runDir: string;
  readonly list: TaskList;
  readonly parallel: number;
  /** The worker command before `--run`, e.g. `[process.execPath, bin, 'worker']`. */
  readonly command: readonly string[];
  /** Appended to every worker's arguments (e.g. `--backend reference`). */
  readonly extraArgs?: readonly string[];
  readonly log: (line: string) => void;
  /** Polled before starting each worker: true starts no more (running ones finish their epoch and checkpoint). */
  readonly shouldStop?: () => boolean;
}

/** What a local run did. */
export interface LocalOutcome {
  readonly ran: number;
  readonly failed: readonly string[];
  readonly stopped: boolean;
}

/** Worker processes now running (their Ctrl-C comes from here when only this process got it). */
const running = new Set<ChildProcess>();

/** Asks every running worker to stop after its current epoch (SIGINT): each checkpoints and exits 130. */
export function interruptWorkers(): void {
  for (const child of running) child.kill('SIGINT');
}

/**
 * How a worker process ended, for the failure line: `exit N`, or `killed by
 * SIGKILL` (a signal has no exit code; 128 + its number is the shell's form).
 */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return code === null && signal ? `killed by ${signal}` : `exit ${code ?? 'unknown'}`;
}

/** Runs one worker; resolves to undefined when it succeeded, else how it ended. */
function runWorker(
  options: LocalOptions,
  phase: number,
  index: number,
): Promise<string | undefined> {
  const logs = path.join(options.runDir, 'logs');
  fs.mkdirSync(logs, { recursive: true });
  const out = fs.openSync(path.join(logs, `phase-${phase}-${index}.log`), 'a');
  const [program, ...args] = options.command;
  const child = spawn(
    program,
    [
      ...args,
      '--run',
      options.runDir,
      '--phase',
      String(phase),
      '--index',
      String(index),
      ...(options.extraArgs ?? []),
    ],
    { stdio: ['ignore', out, out] },
  );
  running.add(child);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      running.delete(child);
      fs.closeSync(out);
      resolve(code === 0 ? undefined : describeExit(code, signal));
    });
  });
}

/** Runs every phase with at most `parallel` workers at a time. */
export async function runLocal(options: LocalOptions): Promise<LocalOutcome> {
  const failed: string[] = [];
  let ran = 0;
  for (const [phase, tasks] of options.list.phases.entries()) {
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < tasks.length && !options.shouldStop?.()) {
        const task = tasks[next++];
        const ended = await runWorker(options, phase, task.index);
        ran++;
        if (ended !== undefined) {
          failed.push(
            `${task.kind} ${task.id} (phase ${phase} index ${task.index}, ${ended}; see logs/phase-${phase}-${task.index}.log)`,
          );
          options.log(`sublora-pinn: ${failed[failed.length - 1]}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.parallel, tasks.length) }, lane));
    if (options.shouldStop?.()) return { ran, failed, stopped: true };
    if (failed.length > 0) return { ran, failed, stopped: false };
    options.log(`sublora-pinn: phase ${phase} done (${tasks.length} tasks)`);
  }
  return { ran, failed, stopped: false };
}
