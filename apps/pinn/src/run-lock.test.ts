/**
 * The run-directory lock across processes: several processes that find the
 * lock of a holder killed with `kill -9` take it over at once, and exactly
 * one of them gets it (the others are refused naming the new holder).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lockRunDirectory } from './run-lock';

const appDir = path.resolve(__dirname, '..');
let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pinn-lock-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A pid that was running a moment ago and is not any more. */
function deadPid(): number {
  const done = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
  return done.pid ?? 0;
}

/** The lock a holder killed with `kill -9` leaves: the lock directory and its owner record. */
function leaveStaleLock(runDir: string): void {
  fs.mkdirSync(path.join(runDir, 'run.lock'), { recursive: true });
  fs.writeFileSync(
    path.join(runDir, 'run.lock.json'),
    `${JSON.stringify({ pid: deadPid(), host: os.hostname(), since: new Date().toISOString() })}\n`,
  );
}

/**
 * A child that loads the lock module, says READY, waits for `go`, takes the
 * lock, prints ACQUIRED (then holds it until `done`) or REFUSED.
 */
const CHILD = `
const fs = require('node:fs');
const path = require('node:path');
const { lockRunDirectory } = require('./src/run-lock');
const [runDir, barrier] = process.argv.slice(1);
const wait = (file) => new Promise((resolve) => {
  const poll = () => (fs.existsSync(path.join(barrier, file)) ? resolve() : setTimeout(poll, 2));
  poll();
});
(async () => {
  process.stdout.write('READY\\n');
  await wait('go');
  let release;
  try {
    release = await lockRunDirectory(runDir, () => process.stdout.write('COMPROMISED\\n'));
  } catch (e) {
    process.stdout.write('REFUSED ' + e.message.split('\\n')[0] + '\\n');
    return;
  }
  process.stdout.write('ACQUIRED\\n');
  await wait('done');
  await release();
})();
`;

interface Child {
  readonly child: ChildProcess;
  readonly lines: () => string[];
  readonly exit: Promise<void>;
}

function startChild(runDir: string, barrier: string): Child {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register', '-r', './test/register-sources.js', '-e', CHILD, runDir, barrier],
    {
      cwd: appDir,
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1', TS_NODE_PROJECT: 'tsconfig.lib.json' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let text = '';
  child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
  const exit = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { child, lines: () => text.split('\n').filter(Boolean), exit };
}

async function until(what: string, ready: () => boolean, timeoutMs = 60_000): Promise<void> {
  const start = Date.now();
  while (!ready()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('lockRunDirectory', () => {
  it('refuses a second holder in the same process and takes over a dead holder at once', async () => {
    const runDir = path.join(tmp, 'in-process');
    const release = await lockRunDirectory(runDir, () => undefined);
    await expect(lockRunDirectory(runDir, () => undefined)).rejects.toThrow(
      `is in use by pid ${process.pid}`,
    );
    await release();
    leaveStaleLock(runDir);
    const again = await lockRunDirectory(runDir, () => undefined);
    expect(JSON.parse(fs.readFileSync(path.join(runDir, 'run.lock.json'), 'utf8')).pid).toBe(
      process.pid,
    );
    await again();
    expect(fs.readdirSync(runDir).sort()).toEqual([]);
  });

  it('gives a dead holder’s lock to exactly one of several processes taking it over at once', async () => {
    const processes = 4;
    for (let trial = 0; trial < 3; trial++) {
      const runDir = path.join(tmp, `race-${trial}`);
      const barrier = path.join(tmp, `barrier-${trial}`);
      fs.mkdirSync(barrier, { recursive: true });
      leaveStaleLock(runDir);
      const children = Array.from({ length: processes }, () => startChild(runDir, barrier));
      try {
        await until('every child to load', () =>
          children.every((c) => c.lines().includes('READY')),
        );
        fs.writeFileSync(path.join(barrier, 'go'), '');
        await until('every child to take or be refused the lock', () =>
          children.every((c) => c.lines().length > 1),
        );
        fs.writeFileSync(path.join(barrier, 'done'), '');
        await Promise.all(children.map((c) => c.exit));
      } finally {
        for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
      }
      const outcomes = children.map((c) => c.lines().slice(1).join(' | '));
      const acquired = outcomes.filter((o) => o === 'ACQUIRED');
      expect({ trial, acquired: acquired.length, outcomes }).toEqual({
        trial,
        acquired: 1,
        outcomes: expect.any(Array),
      });
      for (const o of outcomes.filter((o) => o !== 'ACQUIRED'))
        expect(o).toMatch(/^REFUSED --name: .* is in use by pid \d+ on /);
      // the holder released it: nothing of the lock is left
      expect(fs.readdirSync(runDir)).toEqual([]);
    }
  }, 240_000);
});
