/**
 * The task list of a resolved configuration: which PDEs, seeds, targets and
 * methods it runs, each task's slice of the configuration (the keys its
 * result depends on, so an id changes exactly when the result would) and the
 * checkpoint files it leaves for later phases.
 */
import { checkpointKeysOf } from '../checkpoint-keys';
import type { PinnConfig } from '../config';
import type { PdeName } from '../pdes';
import { lambdaKey } from '../results';
import { alternatingMethods } from '../stages';
import { type GridDescription, type JsonValue, type TaskKey } from './task-list';

/** Keys every measured result depends on besides its stage's checkpoint keys. */
const EVALUATION_KEYS = ['evaluation.resolution', 'evaluation.timeSteps'] as const;

/** Keys training-free determination adds to fine-tuning's. */
const DETERMINATION_KEYS = [
  'determination.budgets',
  'determination.budgetUnit',
  'determination.methods',
] as const;

function pick(config: PinnConfig, keys: readonly string[]): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const key of keys) {
    let value: unknown = config;
    for (const part of key.split('.')) value = (value as Record<string, unknown>)[part];
    out[key] = value as JsonValue;
  }
  return out;
}

/** The configuration keys a task's result depends on. */
function keysOf(config: PinnConfig, kind: TaskKey['kind']): readonly string[] {
  switch (kind) {
    case 'pretrain':
      return [...checkpointKeysOf('pretrain', config), ...EVALUATION_KEYS];
    case 'finetune':
      return [...checkpointKeysOf('finetune', config), ...EVALUATION_KEYS];
    case 'determine':
      return [...checkpointKeysOf('finetune', config), ...EVALUATION_KEYS, ...DETERMINATION_KEYS];
    case 'alternate':
      return [...checkpointKeysOf('alternate', config), ...EVALUATION_KEYS];
  }
}

/** The checkpoint sidecar a pretraining or fine-tuning task leaves (relative to the run directory). */
export function checkpointOutputs(key: TaskKey): string[] {
  if (key.kind === 'pretrain') return [`checkpoints/${key.pde}/pretrain-seed${key.seed}.json`];
  if (key.kind === 'finetune')
    return [`checkpoints/${key.pde}/finetune-${lambdaKey(key.target)}-seed${key.seed}.json`];
  return [];
}

/** The grid `experiment` runs for `config` on `pdes`. */
export function gridOf(config: PinnConfig, pdes: readonly PdeName[]): GridDescription {
  return {
    pdes,
    seeds: config.seeds,
    targets: config.targetLambdas,
    determine: config.determination.methods.length > 0,
    alternating: alternatingMethods(config),
    slice: (key) => ({
      key: key as unknown as JsonValue,
      config: pick(config, keysOf(config, key.kind)),
    }),
    outputs: checkpointOutputs,
  };
}
