/**
 * One line, with the fix, for a file-system error that reaches the command
 * line: Node's own message (`EACCES: permission denied, open '...'`) names
 * the path but not what to do about it.
 */

/** What a failed system call was doing, in words. */
const ACTIONS: Readonly<Record<string, string>> = {
  mkdir: 'create the directory',
  open: 'open',
  write: 'write',
  rename: 'rename',
  unlink: 'remove',
  rmdir: 'remove the directory',
  fsync: 'flush',
  copyfile: 'copy',
};

/** Why it failed and what to do, by error code. */
const CAUSES: Readonly<Record<string, { why: string; fix: string }>> = {
  EACCES: {
    why: 'permission denied',
    fix: 'make the run directory writable for this user or choose another with --out',
  },
  EPERM: {
    why: 'operation not permitted',
    fix: 'make the run directory writable for this user or choose another with --out',
  },
  EROFS: { why: 'read-only file system', fix: 'choose a writable directory with --out' },
  ENOSPC: {
    why: 'no space left on the device',
    fix: 'free some space and rerun: the run resumes from its checkpoints',
  },
  EDQUOT: {
    why: 'disk quota exceeded',
    fix: 'free some space and rerun: the run resumes from its checkpoints',
  },
};

/**
 * The line for `e` when it is a file-system error with a path and a known
 * cause, e.g. `cannot create the directory '/data/runs/x' (permission
 * denied); make the run directory writable ...`; undefined otherwise.
 */
export function describeFileSystemError(e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException | null;
  if (err === null || typeof err !== 'object') return undefined;
  const cause = typeof err.code === 'string' ? CAUSES[err.code] : undefined;
  if (cause === undefined || typeof err.path !== 'string') return undefined;
  const action = (err.syscall !== undefined && ACTIONS[err.syscall]) || 'write';
  return `cannot ${action} '${err.path}' (${cause.why}); ${cause.fix}`;
}
