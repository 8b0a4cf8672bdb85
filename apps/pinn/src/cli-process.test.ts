/**
 * The `sublora-pinn` command as a child process (from the TypeScript
 * sources, like the end-to-end test in cli.test.ts): Ctrl-C on every
 * backend, and the run-directory lock against a second command and after
 * `kill -9`. Runs are made long (a million pretraining epochs) so they are
 * still training whenever a signal arrives; each is stopped by the test.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from './cli';

const appDir = path.resolve(__dirname, '..');
let out: string;
const children: ChildProcess[] = [];
beforeAll(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'pinn-proc-'));
});
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  fs.rmSync(out, { recursive: true, force: true });
});

/**
 * How long a Ctrl-C may take to stop a run: one smoke epoch plus a checkpoint
 * takes milliseconds, so this only absorbs a loaded machine; without the
 * fix the run would go on for the whole million epochs.
 */
const SIGINT_BOUND_MS = 30_000;

interface Running {
  readonly child: ChildProcess;
  readonly stderr: () => string;
  readonly exit: Promise<{ code: number | null; at: number }>;
}

function commandArgs(name: string, backend: string): string[] {
  return [
    '-r',
    'ts-node/register',
    '-r',
    './test/register-sources.js',
    'src/main.ts',
    'pretrain',
    '--preset',
    'smoke',
    '--backend',
    backend,
    '--set',
    'epochs.pretrain=1000000',
    '--set',
    'checkpointEvery=100',
    '--out',
    out,
    '--name',
    name,
    '--quiet',
  ];
}

function start(name: string, backend: string): Running {
  const child = spawn(process.execPath, commandArgs(name, backend), {
    cwd: appDir,
    env: {
      ...process.env,
      TS_NODE_TRANSPILE_ONLY: '1',
      TS_NODE_PROJECT: 'tsconfig.lib.json',
      CI: '1',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => void (stderr += d.toString()));
  const exit = new Promise<{ code: number | null; at: number }>((resolve) =>
    child.on('exit', (code) => resolve({ code, at: Date.now() })),
  );
  return { child, stderr: () => stderr, exit };
}

async function until(what: string, check: () => boolean, running: Running): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (!check()) {
    if (running.child.exitCode !== null || Date.now() > deadline)
      throw new Error(`gave up waiting for ${what}; stderr: ${running.stderr()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const sidecar = (name: string) =>
  path.join(out, name, 'checkpoints', 'elliptic', 'pretrain-seed0.json');

/** Reruns the same command until it reports resuming from `step`, then interrupts it. */
async function resumeAndInterrupt(name: string, backend: string, step: number) {
  const rerun = start(name, backend);
  const message = `resuming elliptic pretrain seed 0 from epoch ${step}\n`;
  await until('the resume message', () => rerun.stderr().includes(message), rerun);
  return interrupt(rerun, name);
}

const savedStep = (name: string): number =>
  (JSON.parse(fs.readFileSync(sidecar(name), 'utf8')) as { step: number }).step;

/** Sends SIGINT once the run has checkpointed; resolves to its exit code, or fails past the bound. */
async function interrupt(running: Running, name: string): Promise<number | null> {
  await until('the first checkpoint', () => fs.existsSync(sidecar(name)), running);
  const sent = Date.now();
  running.child.kill('SIGINT');
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(
      () => reject(new Error(`no exit within ${SIGINT_BOUND_MS} ms of SIGINT`)),
      SIGINT_BOUND_MS,
    ).unref(),
  );
  const { code, at } = await Promise.race([running.exit, timeout]);
  expect(at - sent).toBeLessThan(SIGINT_BOUND_MS);
  return code;
}

describe.each(['reference', 'onnxruntime', 'tfjs'])('Ctrl-C on the %s backend', (backend) => {
  it('stops within one epoch with exit code 130, and the rerun resumes from the checkpoint', async () => {
    const name = `int-${backend}`;
    const first = start(name, backend);
    expect(await interrupt(first, name)).toBe(130);
    expect(first.stderr()).toMatch(/stopping after the current epoch/);
    const step = savedStep(name);
    expect(step).toBeGreaterThan(0);

    expect(await resumeAndInterrupt(name, backend, step)).toBe(130);
    expect(savedStep(name)).toBeGreaterThanOrEqual(step);
  }, 240_000);
});

describe('the run-directory lock', () => {
  it('refuses a second command naming the holder, and is recovered after kill -9', async () => {
    const first = start('locked', 'reference');
    await until('the first checkpoint', () => fs.existsSync(sidecar('locked')), first);
    const metricsBefore = fs.readFileSync(path.join(out, 'locked', 'metrics.jsonl'), 'utf8');

    let stderr = '';
    const code = await runCli(
      ['finetune', '--preset', 'smoke', '--out', out, '--name', 'locked', '--quiet'],
      { stdout: () => undefined, stderr: (t) => void (stderr += t) },
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(
      new RegExp(
        `^sublora-pinn: --name: \\S+locked is in use by pid ${first.child.pid} on .*; wait for it to finish, stop it, or pass --name NEW for a separate run\\n$`,
      ),
    );
    // The refused command wrote nothing: the holder's metrics only grew.
    expect(
      fs.readFileSync(path.join(out, 'locked', 'metrics.jsonl'), 'utf8').startsWith(metricsBefore),
    ).toBe(true);

    first.child.kill('SIGKILL');
    await first.exit;
    const step = savedStep('locked');
    // The lock the killed holder left is taken over at once: the rerun resumes.
    expect(await resumeAndInterrupt('locked', 'reference', step)).toBe(130);
  }, 240_000);
});
