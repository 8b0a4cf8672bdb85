/**
 * An exclusive lock on a run directory, so two commands never train into the
 * same checkpoints and metrics. The lock is `proper-lockfile`'s: the
 * directory `<run>/run.lock`, whose mtime the holder refreshes; a lock not
 * refreshed for `STALE_MS` is taken over. Next to it `run.lock.json` records
 * the holder's pid and host, so a refusal can name the holder, and a lock
 * whose recorded holder is no longer running on this host (killed with
 * `kill -9`) is taken over at once instead of after `STALE_MS`.
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
  let release: (() => Promise<void>) | undefined;
  for (let attempt = 0; !release; attempt++) {
    try {
      release = await tryLock(runDir, onCompromised);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw e;
      const owner = readOwner(runDir);
      const dead = owner !== undefined && owner.host === os.hostname() && !isRunning(owner.pid);
      if (!dead || attempt > 0)
        throw new InputError(
          busy.key,
          `${runDir} is in use by ${owner ? `pid ${owner.pid} on ${owner.host} (since ${owner.since})` : 'another sublora-pinn process'}; ${busy.fix}`,
        );
      // The recorded holder was killed without releasing: the lock is stale.
      fs.rmSync(lockPath(runDir), { recursive: true, force: true });
    }
  }
  const owner: LockOwner = {
    pid: process.pid,
    host: os.hostname(),
    since: new Date().toISOString(),
  };
  writeFileAtomic.sync(ownerPath(runDir), `${JSON.stringify(owner)}\n`);
  const unlock = release;
  return async () => {
    fs.rmSync(ownerPath(runDir), { force: true });
    await unlock();
  };
}
