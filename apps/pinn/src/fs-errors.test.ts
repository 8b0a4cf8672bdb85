import { describeFileSystemError } from './fs-errors';

/** An error shaped as Node's fs functions throw them. */
const errno = (code: string, syscall: string, path?: string): NodeJS.ErrnoException =>
  Object.assign(new Error(`${code}: ${syscall} '${path ?? ''}'`), { code, syscall, path });

describe('describeFileSystemError', () => {
  it('says what failed, on which path, why, and what to do', () => {
    expect(describeFileSystemError(errno('EACCES', 'mkdir', '/data/runs/x'))).toBe(
      "cannot create the directory '/data/runs/x' (permission denied); check the permissions of that path, or give the command a location this user can write",
    );
    expect(describeFileSystemError(errno('EROFS', 'open', '/ro/x/config.json'))).toBe(
      "cannot open '/ro/x/config.json' (read-only file system); give the command a location on a writable file system",
    );
    expect(describeFileSystemError(errno('ENOSPC', 'write', '/x/metrics.jsonl'))).toMatch(
      /^cannot write '\/x\/metrics\.jsonl' \(no space left on the device\); free some space and rerun \(training resumes from its last checkpoint\)$/,
    );
    // a call not in the table is an access, not a write (it may be a read)
    expect(describeFileSystemError(errno('EPERM', 'scandir', '/x/y'))).toMatch(
      /^cannot access '\/x\/y' \(operation not permitted\)/,
    );
  });

  it('leaves other errors to their own message', () => {
    expect(describeFileSystemError(errno('ENOENT', 'open', '/x'))).toBeUndefined();
    expect(describeFileSystemError(errno('EACCES', 'open'))).toBeUndefined();
    expect(describeFileSystemError(new Error('plain'))).toBeUndefined();
    expect(describeFileSystemError(null)).toBeUndefined();
    expect(describeFileSystemError('text')).toBeUndefined();
  });
});
