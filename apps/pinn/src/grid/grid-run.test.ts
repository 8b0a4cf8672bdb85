/**
 * The task list end to end, as child processes from the TypeScript sources
 * (like cli-process.test.ts): a smoke grid run by two worker processes
 * merges to exactly what one worker gives; a changed evaluation setting
 * (new task ids, the same checkpoints) keeps the training records; a worker
 * killed with SIGKILL in mid-task leaves no shard, and rerunning completes
 * the grid with every metrics record once; `worker` and `merge` refuse bad
 * input in one line.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const appDir = path.resolve(__dirname, '..', '..');
// transpile-only: every worker is a fresh process, and type-checking each would cost seconds
const NODE_ARGS = [
  '-r',
  'ts-node/register/transpile-only',
  '-r',
  './test/register-sources.js',
  'src/main.ts',
];
let out: string;
beforeAll(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'pinn-grid-'));
});
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

/** The smoke preset's three PDEs on the reference backend (12 tasks), pretraining long enough to be killed in. */
const GRID = [
  '--preset',
  'smoke',
  '--pde',
  'all',
  '--backend',
  'reference',
  '--set',
  'epochs.pretrain=300',
  '--set',
  'checkpointEvery=20',
  '--set',
  'alternating.methods=["sublora-g"]',
  '--quiet',
];

function cli(args: readonly string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...NODE_ARGS, ...args], { cwd: appDir, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** results.json without wall times; metrics.jsonl lines without timestamps and times. */
function outcome(name: string): { results: string; metrics: string[] } {
  const dir = path.join(out, name);
  const results = JSON.stringify(
    JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')),
    (k, v) => (k === 'seconds' || k === 'derivativeSeconds' || k === 'name' ? undefined : v),
  );
  const metrics = fs
    .readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) =>
      JSON.stringify(JSON.parse(line), (k, v) => (k === 'time' || k === 'seconds' ? undefined : v)),
    );
  return { results, metrics };
}

describe('experiment as a task list', () => {
  let serial: { results: string; metrics: string[] };

  it('merges the same results and metrics from one worker and from two worker processes', () => {
    const one = cli(['experiment', ...GRID, '--out', out, '--name', 'one', '--parallel', '1']);
    expect(one.code).toBe(0);
    const two = cli(['experiment', ...GRID, '--out', out, '--name', 'two', '--parallel', '2']);
    expect(two.code).toBe(0);
    serial = outcome('one');
    expect(outcome('two')).toEqual(serial);
    expect(fs.readdirSync(path.join(out, 'two', 'logs')).length).toBeGreaterThan(0);
  });

  it('keeps the training records when a changed evaluation gives every task a new id', () => {
    // every task's id changes; the checkpoints stay valid and carry the records of their training
    fs.cpSync(path.join(out, 'one'), path.join(out, 'reevaluated'), { recursive: true });
    const set = ['--set', 'evaluation.resolution=7'];
    const again = cli(['experiment', ...GRID, ...set, '--out', out, '--name', 'reevaluated']);
    expect(again.code).toBe(0);
    const training = (metrics: string[]) =>
      metrics.filter((line) => /^\{"kind":"(epoch|alternating-round)"/.test(line));
    const trained = training(serial.metrics);
    expect(trained.length).toBeGreaterThan(200);
    expect(training(outcome('reevaluated').metrics)).toEqual(trained);
  });

  it('completes after a worker is killed in mid-task, nothing lost or duplicated', async () => {
    const run = path.join(out, 'killed');
    expect(cli(['plan', ...GRID, '--out', out, '--name', 'killed']).code).toBe(0);
    const worker: ChildProcess = spawn(
      process.execPath,
      [...NODE_ARGS, 'worker', '--run', run, '--phase', '0', '--index', '0', '--quiet'],
      { cwd: appDir, stdio: 'ignore' },
    );
    // kill -9 once the task has checkpointed but before it commits its shard
    const sidecar = path.join(run, 'checkpoints', 'elliptic', 'pretrain-seed0.json');
    for (let i = 0; i < 3000 && !fs.existsSync(sidecar); i++)
      await new Promise((r) => setTimeout(r, 10));
    worker.kill('SIGKILL');
    await new Promise((r) => worker.on('exit', r));
    expect(fs.existsSync(sidecar)).toBe(true);
    expect(fs.existsSync(path.join(run, 'shards'))).toBe(false);
    const rerun = cli(['experiment', ...GRID, '--out', out, '--name', 'killed', '--parallel', '2']);
    expect(rerun.code).toBe(0);
    expect(outcome('killed')).toEqual(serial);
  });

  it('refuses bad worker and merge input with one line and exit 1', () => {
    const missing = cli([
      'worker',
      '--run',
      path.join(out, 'nope'),
      '--phase',
      '0',
      '--index',
      '0',
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /^sublora-pinn: --run: cannot read .*config\.json; run 'sublora-pinn plan'/,
    );
    const run = path.join(out, 'one');
    const phase = cli(['worker', '--run', run, '--phase', '7', '--index', '0']);
    expect(phase.stderr).toMatch(/^sublora-pinn: --phase: '7' is not a phase of .*; use 0\.\.2\n$/);
    const index = cli(['worker', '--run', run, '--phase', '0', '--index', '9']);
    expect(index.stderr).toMatch(
      /^sublora-pinn: --index: 9 is out of range: this phase has 3 tasks/,
    );
    const threads = cli(['worker', '--run', run, '--phase', '0', '--index', '0', '--threads', '0']);
    expect(threads.code).toBe(1);
    expect(threads.stderr).toMatch(/^sublora-pinn: --threads: '0' is not a whole number >= 1; /);
    // refused before the run directory is made
    const experiment = cli(['experiment', ...GRID, '--out', out, '--name', 'no', '--threads', 'x']);
    expect(experiment.stderr).toMatch(/^sublora-pinn: --threads: 'x' is not a whole number >= 1; /);
    expect(fs.existsSync(path.join(out, 'no'))).toBe(false);
    expect(cli(['plan', ...GRID, '--out', out, '--name', 'partial']).code).toBe(0);
    const merge = cli(['merge', '--run', path.join(out, 'partial')]);
    expect(merge.code).toBe(1);
    expect(merge.stderr).toMatch(/missing: pretrain [0-9a-f]{16} \(phase 0 index 0\)/);
    expect(merge.stderr.trimEnd().split('\n').pop()).toMatch(
      /^sublora-pinn: --run: 15 task\(s\) missing and 0 failed; run their workers/,
    );
  });
});
