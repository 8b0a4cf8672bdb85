/**
 * The task list of an experiment grid: every unit of work (pretrain a PDE and
 * seed, fine-tune to a target, determine ranks with every method, or
 * alternate with one method)
 * with a stable id, its inputs and outputs, in dependency phases. Executors
 * (local processes, Slurm arrays, Kubernetes Indexed Jobs) only ever see
 * "phase p, index i"; everything else lives in `tasks.json`.
 *
 * The builder takes an abstract description and a function that returns each
 * task's slice of the resolved configuration, so this module knows nothing of
 * the pipeline's settings: a task's id is the hash of its slice and of its
 * inputs' ids, so changing a pretraining setting changes every task below it.
 */
import { createHash } from 'node:crypto';
import * as E from 'fp-ts/Either';
import { pipe } from 'fp-ts/function';
import stableStringify from 'json-stable-stringify';
import { InputError } from '@sublora/tensor';
import { z } from 'zod';

/** The four kinds of work, in phase order. */
export const TASK_KINDS = ['pretrain', 'finetune', 'determine', 'alternate'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/** A JSON value: what a configuration slice may hold. */
export type JsonValue =
  null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** Which unit of work a task is, before it has an id. */
export type TaskKey =
  | { readonly kind: 'pretrain'; readonly pde: string; readonly seed: number }
  | {
      readonly kind: 'finetune' | 'determine';
      readonly pde: string;
      readonly seed: number;
      readonly target: readonly number[];
    }
  | {
      readonly kind: 'alternate';
      readonly pde: string;
      readonly seed: number;
      readonly target: readonly number[];
      readonly method: string;
    };

/** One unit of work. */
export interface Task {
  /** First 16 hex digits of the SHA-256 of `{ kind, config, inputs }` in canonical JSON. */
  readonly id: string;
  readonly kind: TaskKind;
  /** 0: pretrain, 1: fine-tune, 2: determine and alternate. */
  readonly phase: number;
  /** Position within its phase: the array index an executor hands the worker. */
  readonly index: number;
  readonly key: TaskKey;
  /** Ids of the tasks whose outputs this one reads (all in earlier phases). */
  readonly inputs: readonly string[];
  /** Paths relative to the run directory; the shard comes last and commits the task. */
  readonly outputs: readonly string[];
  /** The task's slice of the resolved configuration. */
  readonly config: JsonValue;
}

/** Every task of a grid, phase by phase. */
export interface TaskList {
  readonly format: typeof TASK_LIST_FORMAT;
  readonly phases: readonly (readonly Task[])[];
}

export const TASK_LIST_FORMAT = 'sublora-pinn-tasks/1';

/** What a grid is made of; `slice` gives each task's part of the configuration. */
export interface GridDescription {
  readonly pdes: readonly string[];
  readonly seeds: readonly number[];
  readonly targets: readonly (readonly number[])[];
  /**
   * Whether to run training-free determination: one task per fine-tuned
   * model (phase 2), every method and budget in it, as they share g and H.
   */
  readonly determine: boolean;
  /** Alternating-training methods (phase 2 as well: they start from the fine-tuned model too). */
  readonly alternating: readonly string[];
  readonly slice: (key: TaskKey) => JsonValue;
  /** Files a task leaves for later phases (checked by `isCommitted`), relative to the run directory. */
  readonly outputs?: (key: TaskKey) => readonly string[];
}

const PHASE_OF: Readonly<Record<TaskKind, number>> = {
  pretrain: 0,
  finetune: 1,
  determine: 2,
  alternate: 2,
};

/** Canonical JSON (sorted keys, no insignificant whitespace unless `space`): the same value gives the same bytes. */
export function canonicalJson(value: unknown, space?: number): string {
  const text = stableStringify(value, space === undefined ? undefined : { space });
  if (text === undefined) throw new Error('canonicalJson: the value has no JSON form');
  return text;
}

/** The id of a task: hash of its kind, configuration slice and inputs' ids. */
export function taskId(kind: TaskKind, config: JsonValue, inputs: readonly string[]): string {
  return createHash('sha256')
    .update(canonicalJson({ kind, config, inputs }))
    .digest('hex')
    .slice(0, 16);
}

/** The shard that commits a task (relative to the run directory). */
export function shardPath(task: Pick<Task, 'id' | 'kind'>): string {
  return `shards/${task.kind}-${task.id}.json`;
}

function requireUnique(name: string, values: readonly unknown[]): void {
  const seen = new Set<string>();
  for (const v of values) {
    const k = canonicalJson(v);
    if (seen.has(k)) throw new Error(`grid: ${name} lists ${k} twice; give each value once`);
    seen.add(k);
  }
}

/**
 * Builds the task list of a grid: pretrain per PDE and seed, fine-tune per
 * target, then one task per fine-tuned model and method. Order follows the
 * description's lists, so the same description gives the same list.
 */
export function buildTaskList(grid: GridDescription): TaskList {
  requireUnique('pdes', grid.pdes);
  requireUnique('seeds', grid.seeds);
  requireUnique('targets', grid.targets);
  requireUnique('alternating', grid.alternating);
  if (grid.pdes.length === 0 || grid.seeds.length === 0) {
    throw new Error('grid: needs at least one PDE and one seed');
  }
  const phases: Task[][] = [[], [], []];
  const ids = new Set<string>();
  const add = (key: TaskKey, inputs: readonly string[]): string => {
    const config = grid.slice(key);
    const id = taskId(key.kind, config, inputs);
    if (ids.has(id)) {
      throw new Error(
        `grid: two ${key.kind} tasks resolve to the same configuration (${canonicalJson(key)}); the slice must include every setting that tells them apart`,
      );
    }
    ids.add(id);
    const phase = phases[PHASE_OF[key.kind]];
    phase.push({
      id,
      kind: key.kind,
      phase: PHASE_OF[key.kind],
      index: phase.length,
      key,
      inputs,
      // the shard comes last: it commits the task once the other outputs exist
      outputs: [...(grid.outputs?.(key) ?? []), shardPath({ id, kind: key.kind })],
      config,
    });
    return id;
  };
  for (const pde of grid.pdes) {
    for (const seed of grid.seeds) {
      const pretrained = add({ kind: 'pretrain', pde, seed }, []);
      for (const target of grid.targets) {
        const finetuned = add({ kind: 'finetune', pde, seed, target }, [pretrained]);
        if (grid.determine) add({ kind: 'determine', pde, seed, target }, [finetuned]);
        for (const method of grid.alternating) {
          add({ kind: 'alternate', pde, seed, target, method }, [finetuned]);
        }
      }
    }
  }
  return { format: TASK_LIST_FORMAT, phases: phases.filter((p) => p.length > 0) };
}

/** `tasks.json`: canonical, two-space indented, newline-terminated. */
export function serializeTaskList(list: TaskList): string {
  return `${canonicalJson(list, 2)}\n`;
}

const jsonValue: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([
    z.null(),
    z.boolean(),
    z.number(),
    z.string(),
    z.array(jsonValue),
    z.record(z.string(), jsonValue),
  ]),
);

const taskSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{16}$/),
  kind: z.enum(TASK_KINDS),
  phase: z.number().int().nonnegative(),
  index: z.number().int().nonnegative(),
  key: z.union([
    z.object({ kind: z.literal('pretrain'), pde: z.string(), seed: z.number() }),
    z.object({
      kind: z.enum(['finetune', 'determine']),
      pde: z.string(),
      seed: z.number(),
      target: z.array(z.number()),
    }),
    z.object({
      kind: z.literal('alternate'),
      pde: z.string(),
      seed: z.number(),
      target: z.array(z.number()),
      method: z.string(),
    }),
  ]),
  inputs: z.array(z.string()),
  outputs: z.array(z.string()),
  config: jsonValue,
});

const taskListSchema = z.object({
  format: z.literal(TASK_LIST_FORMAT),
  phases: z.array(z.array(taskSchema)),
});

/** The first problem of task `i` of phase `p`, given the ids of earlier tasks; undefined when none. */
function taskProblem(
  task: Task,
  p: number,
  i: number,
  phaseOfId: ReadonlyMap<string, number>,
): string | undefined {
  const where = `phase ${p} task ${i} (${task.id})`;
  if (task.phase !== p || task.index !== i) {
    return `${where} says phase ${task.phase} index ${task.index}; rerun \`plan\``;
  }
  if (task.kind !== task.key.kind)
    return `${where}: kind ${task.kind} but key.kind ${task.key.kind}`;
  if (taskId(task.kind, task.config, task.inputs) !== task.id) {
    return `${where}: id does not match its config and inputs (edited by hand?)`;
  }
  const stray = task.inputs.find((input) => (phaseOfId.get(input) ?? p) >= p);
  if (stray !== undefined) return `${where}: input ${stray} is not a task of an earlier phase`;
  if (phaseOfId.has(task.id)) return `${where}: id appears twice`;
  return undefined;
}

/**
 * Parses and checks `tasks.json`: the schema, that ids are the hashes of what
 * they name, that positions match, and that inputs come from earlier phases.
 * `source` names the file in the error (the Left: one line, the first problem).
 */
export function parseTaskListE(
  text: string,
  source = 'tasks.json',
): E.Either<InputError, TaskList> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return E.left(new InputError(source, `not JSON (${(e as Error).message}); rerun \`plan\``));
  }
  const parsed = taskListSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return E.left(
      new InputError(
        source,
        `${issue.path.join('.') || '(root)'}: ${issue.message}; rerun \`plan\``,
      ),
    );
  }
  const list = parsed.data as TaskList;
  const phaseOfId = new Map<string, number>();
  for (const [p, tasks] of list.phases.entries()) {
    for (const [i, task] of tasks.entries()) {
      const problem = taskProblem(task, p, i, phaseOfId);
      if (problem !== undefined) return E.left(new InputError(source, problem));
      phaseOfId.set(task.id, p);
    }
  }
  return E.right(list);
}

/**
 * {@link parseTaskListE} for callers that want a value or an exception.
 * @throws InputError naming the file and the first problem
 */
export function parseTaskList(text: string, source = 'tasks.json'): TaskList {
  return pipe(
    parseTaskListE(text, source),
    E.getOrElse((e): TaskList => {
      throw e;
    }),
  );
}

/** The task at `index` of `phase`, with a one-line error when either is out of range. */
export function taskAt(list: TaskList, phase: number, index: number): Task {
  const tasks = list.phases[phase];
  if (tasks === undefined) {
    throw new InputError(
      '--phase',
      `${phase} is out of range: the task list has phases 0..${list.phases.length - 1}`,
    );
  }
  const task = tasks[index];
  if (task === undefined) {
    throw new InputError(
      '--index',
      `${index} is out of range: phase ${phase} has ${tasks.length} tasks (0..${tasks.length - 1})`,
    );
  }
  return task;
}

/** Every task by id (to look up a task's inputs). */
export function tasksById(list: TaskList): ReadonlyMap<string, Task> {
  return new Map(list.phases.flat().map((t) => [t.id, t]));
}
