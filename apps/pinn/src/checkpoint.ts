/**
 * Checkpoints: a safetensors file of named float64 tensors plus a JSON
 * sidecar (config, seed, step, versions), both written atomically.
 *
 * Crash safety. Each save writes a new weights file `<name>.<step>.safetensors`
 * (temp file, fsync, rename), then the sidecar `<name>.json` the same way,
 * then fsyncs the directory and removes the weights file the previous sidecar
 * named. The sidecar is the commit point: until its rename lands, the old
 * sidecar still names the old, complete weights file, so a save interrupted
 * at any moment leaves the previous checkpoint readable. The sidecar also
 * holds the SHA-256 of the weights file; a mismatch on load is an error.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseSafetensors, serializeSafetensors } from '@sublora/formats';

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

/** The file operations a save uses; tests swap in failing ones to simulate crashes. */
export interface CheckpointFs {
  openSync(file: string, flags: string): number;
  writeSync(fd: number, data: Uint8Array): number;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
}

const NODE_FS: CheckpointFs = {
  openSync: (f, flags) => fs.openSync(f, flags),
  writeSync: (fd, data) => fs.writeSync(fd, data),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  closeSync: (fd) => fs.closeSync(fd),
  renameSync: (a, b) => fs.renameSync(a, b),
};

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

/** Writes `bytes` to `file` atomically: temp file in the same directory, fsync, rename. */
export function writeFileAtomic(file: string, bytes: Uint8Array, io: CheckpointFs = NODE_FS): void {
  const temp = `${file}.tmp-${process.pid}`;
  const fd = io.openSync(temp, 'w');
  try {
    let written = 0;
    while (written < bytes.length) written += io.writeSync(fd, bytes.subarray(written));
    io.fsyncSync(fd);
  } finally {
    io.closeSync(fd);
  }
  io.renameSync(temp, file);
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
  io: CheckpointFs = NODE_FS,
): Sidecar {
  fs.mkdirSync(dir, { recursive: true });
  const previous = fs.existsSync(sidecarPath(dir, name)) ? readSidecar(dir, name) : undefined;
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
  const weights = `${name}.${String(meta.step).padStart(7, '0')}.safetensors`;
  writeFileAtomic(path.join(dir, weights), bytes, io);
  const sidecar: Sidecar = {
    format: 'sublora-pinn-checkpoint/1',
    ...meta,
    weights,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    versions: runtimeVersions(),
    savedAt: new Date().toISOString(),
  };
  writeFileAtomic(
    sidecarPath(dir, name),
    new TextEncoder().encode(`${JSON.stringify(sidecar, null, 2)}\n`),
    io,
  );
  fsyncDirectory(dir);
  if (previous && previous.weights !== weights)
    fs.rmSync(path.join(dir, previous.weights), { force: true });
  return sidecar;
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

/**
 * Loads a checkpoint and verifies the weights file against the sidecar's hash.
 * @throws Error with a one-line message naming the file on a missing,
 *   truncated or mismatched file
 */
export function loadCheckpoint(dir: string, name: string): Checkpoint {
  const meta = readSidecar(dir, name);
  const file = path.join(dir, meta.weights);
  if (!fs.existsSync(file))
    throw new Error(
      `${file}: weights file named by ${sidecarPath(dir, name)} is missing; rerun the phase`,
    );
  const bytes = fs.readFileSync(file);
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (digest !== meta.sha256)
    throw new Error(
      `${file}: contents do not match the sidecar's sha256 (truncated or edited); rerun the phase`,
    );
  const parsed = parseSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const tensors: Record<string, NamedTensor> = {};
  for (const [key, t] of Object.entries(parsed.tensors))
    tensors[key] = { shape: t.shape, data: Float64Array.from(t.data) };
  return { meta, tensors };
}
