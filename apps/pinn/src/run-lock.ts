/**
 * An exclusive lock on a run directory, so two commands never train into the
 * same checkpoints and metrics. The lock is `proper-lockfile`'s: the
 * directory `<run>/run.lock`, whose mtime the holder refreshes; a lock not
 * refreshed for `STALE_MS` is taken over. Next to it `run.lock.json` records
 * the holder's pid and host, so a refusal can name the holder, and a lock
 * whose recorded holder is no longer running on this host (killed with
 * `kill -9`) is taken over at once instead of after `STALE_MS`.
 *
 * Taking the lock, taking over a dead holder's lock and recording the owner
 * happen under a short second lock, `<run>/run.lock.gate` (also
 * `proper-lockfile`'s, held for milliseconds): without it a process that had
 * read the dead holder's record could delete the lock another process had
 * just taken over, and both would hold it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as lockfile from 'proper-lockfile';
import writeFileAtomic from 'write-file-atomic';
import { InputError } from '@sublora/tensor';

/**
 * A lock not refreshed for this long is stale. Generous, because the holder
 * refreshes it from a timer that a long synchronous computation (a Hessian of
 * the paper-size network) can delay; dead holders on this host are detected
 * by pid instead.
 */
export const STALE_MS = 120_000;

/** Who holds a run directory's lock. */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
}

function lockPath(runDir: string): string {
  return path.join(runDir, 'run.lock');
}

function gatePath(runDir: string): string {
  return path.join(runDir, 'run.lock.gate');
}

/**
 * The gate is held for milliseconds; one left by a process killed inside it
 * is taken over after this long (`proper-lockfile`'s minimum is 2 s), and
 * waiting processes retry for twice that.
 */
const GATE_STALE_MS = 5_000;

function ownerPath(runDir: string): string {
  return path.join(runDir, 'run.lock.json');
}

function readOwner(runDir: string): LockOwner | undefined {
  try {
    return JSON.parse(fs.readFileSync(ownerPath(runDir), 'utf8')) as LockOwner;
  } catch {
    return undefined; // not written yet, or removed by a holder that just finished
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function tryLock(runDir: string, onCompromised: (err: Error) => void) {
  return lockfile.lock(runDir, {
    lockfilePath: lockPath(runDir),
    realpath: false,
    stale: STALE_MS,
    onCompromised,
  });
}

/** Runs `fn` holding the run directory's gate (see the module comment). */
async function withGate<T>(runDir: string, busy: () => Error, fn: () => Promise<T>): Promise<T> {
  let release: () => Promise<void>;
  try {
    // keyed by its own path: proper-lockfile keeps one lock per key, and runDir is run.lock's
    release = await lockfile.lock(gatePath(runDir), {
      lockfilePath: gatePath(runDir),
      realpath: false,
      stale: GATE_STALE_MS,
      retries: { retries: (2 * GATE_STALE_MS) / 25, factor: 1, minTimeout: 25, maxTimeout: 25 },
      // held for milliseconds: losing it after GATE_STALE_MS cannot matter any more
      onCompromised: () => undefined,
    });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOCKED') throw busy();
    throw e;
  }
  try {
    return await fn();
  } finally {
    await release();
  }
}

/**
 * Takes the run directory's lock; resolves to the function that releases it.
 * @param onCompromised - called if the lock is lost while held (another
 *   process took it over, or it could not be refreshed)
 * @throws InputError naming the directory, the holder's pid and the fix when
 *   another running process holds the lock
 */
export async function lockRunDirectory(
  runDir: string,
  onCompromised: (err: Error) => void,
  busy: { readonly key: string; readonly fix: string } = {
    key: '--name',
    fix: 'wait for it to finish, stop it, or pass --name NEW for a separate run',
  },
): Promise<() => Promise<void>> {
  fs.mkdirSync(runDir, { recursive: true });
  const refusal = (owner: LockOwner | undefined) =>
    new InputError(
      busy.key,
      `${runDir} is in use by ${owner ? `pid ${owner.pid} on ${owner.host} (since ${owner.since})` : 'another sublora-pinn process'}; ${busy.fix}`,
    );
  // Under the gate, run.lock.json always names the holder of run.lock (or no one).
  const release = await withGate(
    runDir,
    () => refusal(undefined),
    async () => {
      let taken: () => Promise<void>;
      try {
        taken = await tryLock(runDir, onCompromised);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw e;
        const owner = readOwner(runDir);
        const dead = owner !== undefined && owner.host === os.hostname() && !isRunning(owner.pid);
        if (!dead) throw refusal(owner);
        // The recorded holder was killed without releasing: the lock is stale.
        fs.rmSync(lockPath(runDir), { recursive: true, force: true });
        try {
          taken = await tryLock(runDir, onCompromised);
        } catch (again) {
          if ((again as NodeJS.ErrnoException).code !== 'ELOCKED') throw again;
          throw refusal(readOwner(runDir));
        }
      }
      const owner: LockOwner = {
        pid: process.pid,
        host: os.hostname(),
        since: new Date().toISOString(),
      };
      writeFileAtomic.sync(ownerPath(runDir), `${JSON.stringify(owner)}\n`);
      return taken;
    },
  );
  const unlock = release;
  return async () => {
    fs.rmSync(ownerPath(runDir), { force: true });
    await unlock();
  };
}
