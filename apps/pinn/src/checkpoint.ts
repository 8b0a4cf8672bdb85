/**
 * Checkpoints: a safetensors file of named float64 tensors plus a JSON
 * sidecar (config, seed, step, versions), both written atomically.
 *
 * Crash safety. Each save writes a new weights file
 * `<name>.<step>.<first 12 hex digits of its SHA-256>.safetensors` (`write-file-atomic`: temp file, fsync, rename; the temp file is removed
 * if the write fails), then the sidecar `<name>.json` the same way,
 * then fsyncs the directory and removes the weights file the previous sidecar
 * named, with anything a save killed midway left behind. The sidecar is the commit point: until its rename lands, the old
 * sidecar still names the old, complete weights file, so a save interrupted
 * at any moment leaves the previous checkpoint readable. The sidecar also
 * holds the SHA-256 of the weights file; a mismatch on load is an error.
 *
 * Compatibility. A load can name what it expects (the resolved config, the
 * stage, the seed and every tensor's shape); a checkpoint trained under other
 * values of the keys its stage depends on (`checkpoint-keys.ts`), or holding
 * other tensors, shapes or dtypes, is refused with a one-line error.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseSafetensors, serializeSafetensors } from '@sublora/formats';
import writeFileAtomic from 'write-file-atomic';
import { type CheckpointStage, staleError, staleKey } from './checkpoint-keys';

/** A named float64 tensor. */
export interface NamedTensor {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

/** What a checkpoint holds besides tensors. */
export interface CheckpointMeta {
  /** Training phase, e.g. `pretrain`, `finetune`, `alternate:sublora-g`. */
  readonly phase: string;
  /** Epochs completed in this phase. */
  readonly step: number;
  readonly seed: number;
  /** The resolved configuration the run used. */
  readonly config: unknown;
  /** Anything else the phase needs to resume (e.g. masks, round numbers). */
  readonly state?: Record<string, unknown>;
}

/** The JSON sidecar as written. */
export interface Sidecar extends CheckpointMeta {
  readonly format: 'sublora-pinn-checkpoint/1';
  readonly weights: string;
  readonly sha256: string;
  readonly versions: Record<string, string>;
  readonly savedAt: string;
}

/** A loaded checkpoint. */
export interface Checkpoint {
  readonly meta: Sidecar;
  readonly tensors: Record<string, NamedTensor>;
}

function packageVersion(): string {
  try {
    return (
      JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
  } catch {
    return 'unknown';
  }
}

/** Versions recorded in every sidecar. */
export function runtimeVersions(): Record<string, string> {
  return { '@sublora/pinn': packageVersion(), node: process.versions.node };
}

function fsyncDirectory(dir: string): void {
  // Directories cannot be opened for fsync on every platform (Windows); the
  // renames are still atomic there, only their durability is weaker.
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

function sidecarPath(dir: string, name: string): string {
  return path.join(dir, `${name}.json`);
}

/**
 * Saves a checkpoint atomically (see the module comment).
 * @param dir - directory, created if missing
 * @param name - checkpoint name, e.g. `pretrain` or `finetune-1_1-seed0`
 */
export function saveCheckpoint(
  dir: string,
  name: string,
  tensors: Record<string, NamedTensor>,
  meta: CheckpointMeta,
): Sidecar {
  fs.mkdirSync(dir, { recursive: true });
  const input = Object.fromEntries(
    Object.entries(tensors).map(([k, t]) => [
      k,
      { dtype: 'F64' as const, shape: t.shape, data: t.data },
    ]),
  );
  const bytes = serializeSafetensors(input, {
    phase: meta.phase,
    step: String(meta.step),
    seed: String(meta.seed),
  });
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  // The hash in the name keeps a save from ever overwriting the file the
  // committed sidecar names (alternating rounds reuse step numbers).
  const weights = `${name}.${String(meta.step).padStart(7, '0')}.${sha256.slice(0, 12)}.safetensors`;
  writeFileAtomic.sync(
    path.join(dir, weights),
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
  );
  const sidecar: Sidecar = {
    format: 'sublora-pinn-checkpoint/1',
    ...meta,
    weights,
    sha256,
    versions: runtimeVersions(),
    savedAt: new Date().toISOString(),
  };
  writeFileAtomic.sync(sidecarPath(dir, name), `${JSON.stringify(sidecar, null, 2)}\n`);
  fsyncDirectory(dir);
  removeSuperseded(dir, name, weights);
  return sidecar;
}

/**
 * Removes every file of checkpoint `name` but its sidecar and `weights`: the
 * previous weights file and whatever a process killed mid-save left (a
 * weights file its sidecar never named, temp files of either write).
 * Callers hold the run directory's lock, so no other save is under way.
 */
function removeSuperseded(dir: string, name: string, weights: string): void {
  for (const file of fs.readdirSync(dir))
    if (file.startsWith(`${name}.`) && file !== `${name}.json` && file !== weights)
      fs.rmSync(path.join(dir, file), { force: true });
}

function readSidecar(dir: string, name: string): Sidecar {
  const file = sidecarPath(dir, name);
  let parsed: Sidecar;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Sidecar;
  } catch (e) {
    throw new Error(
      `${file}: unreadable checkpoint sidecar (${(e as Error).message.split('\n')[0]}); delete it to start the phase over`,
      { cause: e },
    );
  }
  if (parsed.format !== 'sublora-pinn-checkpoint/1')
    throw new Error(
      `${file}: not a sublora-pinn checkpoint sidecar (format ${JSON.stringify(parsed.format)})`,
    );
  return parsed;
}

/** True when a checkpoint of that name exists (its sidecar does). */
export function hasCheckpoint(dir: string, name: string): boolean {
  return fs.existsSync(sidecarPath(dir, name));
}

/** What a load requires of a checkpoint before anything is restored from it. */
export interface CheckpointExpectation {
  /** The resolved configuration of this run. */
  readonly config: unknown;
  readonly stage: CheckpointStage;
  readonly seed: number;
  /** Every tensor the checkpoint must hold (no more, no fewer), with its shape; all float64. */
  readonly shapes: Readonly<Record<string, readonly number[]>>;
}

function checkExpectation(
  dir: string,
  name: string,
  meta: Sidecar,
  tensors: Record<string, { readonly dtype: string; readonly shape: readonly number[] }>,
  expected: CheckpointExpectation,
): void {
  const runDir = path.dirname(path.dirname(dir));
  const label = `checkpoint ${path.basename(dir)}/${name}`;
  const stale = staleKey(meta.config, expected.config, expected.stage);
  if (stale) throw staleError(runDir, label, stale);
  const fix = `the configuration changed since it was saved; pass --name NEW to start a separate run (or delete ${runDir} to start over)`;
  if (meta.seed !== expected.seed)
    throw new Error(`${label}: saved for seed ${meta.seed}, expected ${expected.seed}; ${fix}`);
  const names = new Set([...Object.keys(tensors), ...Object.keys(expected.shapes)]);
  for (const key of [...names].sort()) {
    const t = tensors[key];
    const shape = expected.shapes[key];
    const problem = !t
      ? 'is missing'
      : !shape
        ? 'is not part of this network'
        : t.dtype !== 'F64'
          ? `has dtype ${t.dtype}, expected F64`
          : JSON.stringify(t.shape) !== JSON.stringify(shape)
            ? `has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`
            : undefined;
    if (problem) throw new Error(`${label}: tensor '${key}' ${problem}; ${fix}`);
  }
}

/**
 * Loads a checkpoint and verifies the weights file against the sidecar's hash
 * and, when `expected` is given, against the run's configuration and shapes.
 * @throws Error with a one-line message naming the file on a missing,
 *   truncated or mismatched file, or naming the differing key or tensor
 */
export function loadCheckpoint(
  dir: string,
  name: string,
  expected?: CheckpointExpectation,
): Checkpoint {
  const meta = readSidecar(dir, name);
  const file = path.join(dir, meta.weights);
  // Rerunning alone would find the same sidecar (and, in a grid, a committed
  // task): without the sidecar the phase trains again and its task reruns.
  const fix = `delete ${sidecarPath(dir, name)} and rerun to train the phase again`;
  if (!fs.existsSync(file))
    throw new Error(`${file}: weights file named by ${sidecarPath(dir, name)} is missing; ${fix}`);
  const bytes = fs.readFileSync(file);
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (digest !== meta.sha256)
    throw new Error(
      `${file}: contents do not match the sidecar's sha256 (truncated or edited); ${fix}`,
    );
  const parsed = parseSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  if (expected) checkExpectation(dir, name, meta, parsed.tensors, expected);
  const tensors: Record<string, NamedTensor> = {};
  for (const [key, t] of Object.entries(parsed.tensors))
    tensors[key] = { shape: t.shape, data: Float64Array.from(t.data) };
  return { meta, tensors };
}
