/**
 * A grid's run directory: `config.json` (the resolved configuration) and
 * `tasks.json` (the task list) written by `plan`, read back by `worker` and
 * `merge`, with one-line errors naming the file and the fix.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '@sublora/tensor';
import * as E from 'fp-ts/Either';
import writeFileAtomic from 'write-file-atomic';
import { type PinnConfig, configError, resolveConfigE } from '../config';
import { type TaskList, parseTaskList, serializeTaskList } from './task-list';

/** Writes a task list built with `buildTaskList` as `<run>/tasks.json`. */
export function writeTaskList(runDir: string, list: TaskList): void {
  fs.mkdirSync(runDir, { recursive: true });
  writeFileAtomic.sync(path.join(runDir, 'tasks.json'), serializeTaskList(list));
}

function readText(file: string, fix: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    throw new InputError('--run', `cannot read ${file}; ${fix}`);
  }
}

/** The configuration and task list of a planned run directory. */
export function loadRun(runDir: string): { config: PinnConfig; list: TaskList } {
  const plan = `run 'sublora-pinn plan' (or 'experiment') for this run first`;
  const configFile = path.join(runDir, 'config.json');
  let stored: Record<string, unknown>;
  try {
    stored = JSON.parse(readText(configFile, plan)) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(configFile, `is not valid JSON; ${plan}`);
  }
  const { resolvedBackend: _, ...keys } = stored;
  const config = resolveConfigE(String(keys.preset), keys);
  if (E.isLeft(config)) throw configError(config.left);
  const tasksFile = path.join(runDir, 'tasks.json');
  return { config: config.right, list: parseTaskList(readText(tasksFile, plan), tasksFile) };
}
