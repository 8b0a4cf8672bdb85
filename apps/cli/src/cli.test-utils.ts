/** In-process runs of the `sublora` program for the tests. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from './program';

/** What one run printed and returned. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `sublora ...argv` in-process with relative files resolved against `cwd`. */
export async function sublora(argv: readonly string[], cwd = process.cwd()): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    cwd,
  });
  return { code, stdout, stderr };
}

const created: string[] = [];
afterAll(() => created.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A fresh directory under the OS temp dir, removed after the test file. */
export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sublora-cli-'));
  created.push(dir);
  return dir;
}

/** The paper's toy example (Sec. 3): L = (s1 - s2 + 1)^2 at (1, 2.1). */
export const TOY = {
  sigma: [1, 2.1],
  grad: [-0.2, 0.2],
  hessian: [
    [2, -2],
    [-2, 2],
  ],
};

/** Asserts a failed run: the exit code and exactly one stderr line matching `pattern`. */
export function expectOneLineError(run: CliRun, code: number, pattern: RegExp): void {
  expect({ code: run.code, stdout: run.stdout }).toEqual({ code, stdout: '' });
  const lines = run.stderr.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}
