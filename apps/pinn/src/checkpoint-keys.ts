/**
 * Which configuration keys determine a checkpoint's contents, and the check
 * that refuses a checkpoint trained under different values. A checkpoint is
 * stale when any key its stage depends on differs from the resolved config:
 * its tensors would have other shapes, or other values than a fresh run with
 * this config produces, so reusing or resuming it would silently mix runs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '@sublora/tensor';

/** Kinds of checkpoint, by what produced them. */
export type CheckpointStage = 'pretrain' | 'finetune' | 'alternate';

/** Shapes of the network and everything that moves pretraining's weights. */
const PRETRAIN_KEYS = [
  'network.width',
  'network.depth',
  'pretrainLambda',
  'points.interior',
  'points.boundary',
  'points.initial',
  'points.boundarySampling',
  'muB',
  'optimizer.pretrain.lr',
  'optimizer.pretrain.schedule',
  'optimizer.pretrain.stepEvery',
  'optimizer.pretrain.stepGamma',
  'epochs.pretrain',
] as const;

/** The adapter's family, shape, initialisation and training rate and schedule. */
const LORA_KEYS = [
  'adapter',
  'network.rank',
  'network.loraInitScale',
  'network.orthogonality',
  'optimizer.finetune.lr',
  'optimizer.finetune.schedule',
  'optimizer.finetune.stepEvery',
  'optimizer.finetune.stepGamma',
] as const;

/** Keys of an adapter family's own section, compared only when the resolved config trains that family. */
const ADAPTER_SECTION_KEYS: Readonly<Record<string, readonly string[]>> = {
  polar: ['polar.rank', 'polar.lambda', 'polar.alpha', 'polar.step', 'polar.theta'],
  geolora: [
    'geolora.rmax',
    'geolora.rank',
    'geolora.truncation',
    'geolora.tau',
    'geolora.rule',
    'geolora.budget',
    'geolora.optimizer',
    'geolora.augmentEvery',
  ],
};

/**
 * Config keys each stage's checkpoints depend on. Seeds, the PDE and the
 * target lambda are part of the checkpoint's path and name, so changing them
 * selects other checkpoints instead of invalidating these; `checkpointEvery`,
 * `backend`, `evaluation.*`, `determination.methods`/`budgets` and the method
 * lists never change a checkpoint.
 */
export const CHECKPOINT_KEYS: Readonly<Record<CheckpointStage, readonly string[]>> = {
  pretrain: PRETRAIN_KEYS,
  finetune: [...PRETRAIN_KEYS, ...LORA_KEYS, 'epochs.finetune'],
  alternate: [
    ...PRETRAIN_KEYS,
    ...LORA_KEYS,
    'alternating.rounds',
    'alternating.epochs',
    'alternating.budget',
    'determination.budgetUnit',
  ],
};

/**
 * The keys a checkpoint of `stage` depends on under `config`: the stage's
 * {@link CHECKPOINT_KEYS}, plus (after pretraining) the own section of the
 * adapter family `config` trains, so other families' checkpoints and task ids
 * do not change when a section they never read does.
 */
export function checkpointKeysOf(stage: CheckpointStage, config: unknown): readonly string[] {
  const family = stage === 'pretrain' ? undefined : valueAt(config, 'adapter');
  const own = typeof family === 'string' ? (ADAPTER_SECTION_KEYS[family] ?? []) : [];
  return [...CHECKPOINT_KEYS[stage], ...own];
}

/** The stage a checkpoint belongs to, from its name (`pretrain-seed0`, `finetune-1_1-seed0`, `alternate-...`). */
export function stageOfCheckpoint(name: string): CheckpointStage | undefined {
  const prefix = name.split('-')[0];
  return prefix === 'pretrain' || prefix === 'finetune' || prefix === 'alternate'
    ? prefix
    : undefined;
}

function valueAt(config: unknown, key: string): unknown {
  let value = config;
  for (const part of key.split('.'))
    value =
      typeof value === 'object' && value !== null
        ? (value as Record<string, unknown>)[part]
        : undefined;
  return value;
}

/** A key whose saved value differs from the resolved one. */
export interface StaleKey {
  readonly key: string;
  readonly saved: unknown;
  readonly resolved: unknown;
}

/** The first key of `stage` whose value in `saved` differs from `resolved`, if any. */
export function staleKey(
  saved: unknown,
  resolved: unknown,
  stage: CheckpointStage,
): StaleKey | undefined {
  for (const key of checkpointKeysOf(stage, resolved)) {
    const a = valueAt(saved, key);
    const b = valueAt(resolved, key);
    if (JSON.stringify(a) !== JSON.stringify(b)) return { key, saved: a, resolved: b };
  }
  return undefined;
}

/** The one-line refusal for a stale checkpoint: names the key, both values and the fix. */
export function staleError(runDir: string, checkpoint: string, stale: StaleKey): InputError {
  return new InputError(
    stale.key,
    `${checkpoint} in ${runDir} was trained with ${JSON.stringify(stale.saved)}, this command resolves ${JSON.stringify(stale.resolved)}; pass --name NEW to start a separate run (or delete ${runDir} to start over)`,
  );
}

/**
 * Refuses a run directory that holds any checkpoint trained under a
 * configuration that differs from `config` in a key that checkpoint depends
 * on. Reads only; call it before writing anything into the directory.
 * @throws InputError naming the first differing key
 */
export function assertCheckpointsMatch(runDir: string, config: unknown): void {
  const root = path.join(runDir, 'checkpoints');
  if (!fs.existsSync(root)) return;
  for (const pde of fs.readdirSync(root).sort()) {
    const dir = path.join(root, pde);
    if (!fs.statSync(dir).isDirectory()) continue;
    for (const file of fs.readdirSync(dir).sort()) {
      const name = file.replace(/\.json$/, '');
      const stage = stageOfCheckpoint(name);
      if (!file.endsWith('.json') || !stage) continue;
      let saved: { config?: unknown };
      try {
        saved = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as { config?: unknown };
      } catch {
        continue; // unreadable sidecars are reported (with their fix) when the stage loads them
      }
      const stale = staleKey(saved.config, config, stage);
      if (stale) throw staleError(runDir, `checkpoint ${pde}/${name}`, stale);
    }
  }
}
