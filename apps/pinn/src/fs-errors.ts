/**
 * One line, with the fix, for a file-system error that reaches the command
 * line: Node's own message (`EACCES: permission denied, open '...'`) names
 * the path but not what to do about it. The fix names no flag, as the
 * commands take their paths by different ones (`--out`, `--run`, `--file`).
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

/** Why it failed and what to do, by error code (the same for every command). */
const CAUSES: Readonly<Record<string, { why: string; fix: string }>> = {
  EACCES: {
    why: 'permission denied',
    fix: 'check the permissions of that path, or give the command a location this user can write',
  },
  EPERM: {
    why: 'operation not permitted',
    fix: 'check the permissions of that path, or give the command a location this user can write',
  },
  EROFS: {
    why: 'read-only file system',
    fix: 'give the command a location on a writable file system',
  },
  ENOSPC: {
    why: 'no space left on the device',
    fix: 'free some space and rerun (training resumes from its last checkpoint)',
  },
  EDQUOT: {
    why: 'disk quota exceeded',
    fix: 'free some space and rerun (training resumes from its last checkpoint)',
  },
};

/**
 * The line for `e` when it is a file-system error with a path and a known
 * cause, e.g. `cannot create the directory '/data/runs/x' (permission
 * denied); check the permissions of that path, ...`; undefined otherwise.
 */
export function describeFileSystemError(e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException | null;
  if (err === null || typeof err !== 'object') return undefined;
  const cause = typeof err.code === 'string' ? CAUSES[err.code] : undefined;
  if (cause === undefined || typeof err.path !== 'string') return undefined;
  const action = (err.syscall !== undefined && ACTIONS[err.syscall]) || 'access';
  return `cannot ${action} '${err.path}' (${cause.why}); ${cause.fix}`;
}
