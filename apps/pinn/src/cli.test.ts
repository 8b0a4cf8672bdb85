import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseSafetensors } from '@sublora/formats';
import { runCli, workerThreads } from './cli';

const appDir = path.resolve(__dirname, '..');
let out: string;
beforeAll(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'pinn-cli-'));
});
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
  });
  return { code, stdout, stderr };
}

describe('worker threads', () => {
  it('split the CPUs among the local workers unless --threads names a count', () => {
    const cpus = os.availableParallelism();
    expect(workerThreads(undefined, 1)).toBe(cpus);
    expect(workerThreads(undefined, cpus)).toBe(1);
    // never 0, even with more workers than CPUs
    expect(workerThreads(undefined, cpus + 5)).toBe(1);
    expect(workerThreads(3, 2)).toBe(3);
  });
});

describe('sublora-pinn errors', () => {
  it.each([
    [
      ['pretrain', '--preset', 'tiny'],
      /^sublora-pinn: preset: unknown preset "tiny"; use one of smoke, small, medium, paper\n$/,
    ],
    [
      ['pretrain', '--preset', 'smoke', '--set', 'network.width=-1'],
      /^sublora-pinn: config\.network\.width: must be an integer in \[1, 100000\] \(got -1\)\n$/,
    ],
    [
      ['pretrain', '--preset', 'smoke', '--pde', 'heat'],
      /^sublora-pinn: --pde: unknown PDE 'heat'; use one of elliptic, allen-cahn, hyperbolic or all\n$/,
    ],
    [
      ['pretrain', '--preset', 'smoke', '--backend', 'cuda'],
      /^sublora-pinn: config\.backend: unknown backend 'cuda'/,
    ],
    [
      ['report', '--out', '/nonexistent-dir', '--name', 'x'],
      /^sublora-pinn: --name: no results in/,
    ],
  ])('%j fails with one line and exit code 1', async (args, message) => {
    const res = await cli(args.includes('--out') ? args : [...args, '--out', out]);
    expect(res.code).toBe(1);
    expect(
      res.stderr
        .split('\n')
        .filter((l) => l.startsWith('sublora-pinn: ') && !l.includes('writing to'))
        .join('\n') + '\n',
    ).toMatch(message);
  });

  it('compare refuses a directory without results in one line, exit code 1', async () => {
    const res = await cli(['compare', '/nonexistent-dir/run']);
    expect(res.code).toBe(1);
    expect(res.stderr.trimEnd()).toBe(
      'sublora-pinn: compare: no results.json in /nonexistent-dir/run; pass run directories (runs/<name>) of finished or merged runs',
    );
  });

  it.each([
    [['train'], /^error: unknown command 'train' \(Did you mean pretrain\?\)$/],
    [['pretrain', '--bogus'], /^error: unknown option '--bogus'$/],
    [['pretrain', '--preset'], /^error: option '--preset <name>' argument missing$/],
  ])('%j is a usage error: exit 2 (as sublora) and one line', async (args, message) => {
    const res = await cli(args);
    expect(res.code).toBe(2);
    expect(res.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(res.stderr.trimEnd()).toMatch(message);
  });
});

describe('sublora-pinn pretrain and export (in process)', () => {
  it('writes the resolved config, checkpoints and a safetensors export readable by sublora select', async () => {
    const base = [
      '--preset',
      'smoke',
      '--pde',
      'elliptic',
      '--out',
      out,
      '--name',
      'exp',
      '--quiet',
    ];
    expect((await cli(['pretrain', ...base])).code).toBe(0);
    const config = JSON.parse(fs.readFileSync(path.join(out, 'exp', 'config.json'), 'utf8'));
    expect(config).toMatchObject({ name: 'exp', preset: 'smoke', pde: 'elliptic' });
    const file = path.join(out, 'exp', 'export.safetensors');
    const res = await cli(['export', ...base, '--file', file]);
    expect(res.code).toBe(0);
    const parsed = parseSafetensors(new Uint8Array(fs.readFileSync(file)));
    expect(parsed.tensors.sigma.shape).toEqual([6]);
    expect(parsed.tensors.grad.shape).toEqual([6]);
    expect(parsed.tensors.hessian.shape).toEqual([6, 6]);
    expect(parsed.tensors['lora.U1'].shape).toEqual([6, 3]);
    expect(parsed.metadata).toMatchObject({ pde: 'elliptic', lambda: '1,1', layers: '3,3' });
    const h = parsed.tensors.hessian.data;
    for (let i = 0; i < 6; i++)
      for (let j = 0; j < 6; j++) expect(h[i * 6 + j]).toBeCloseTo(h[j * 6 + i], 10);
  });
});

describe('sublora-pinn experiment (child process, real ESM plotting)', () => {
  it('runs the smoke experiment end to end and writes report, plots and metrics', () => {
    const run = spawnSync(
      process.execPath,
      [
        '-r',
        'ts-node/register',
        '-r',
        './test/register-sources.js',
        'src/main.ts',
        'experiment',
        '--preset',
        'smoke',
        '--pde',
        'hyperbolic',
        '--out',
        out,
        '--name',
        'e2e',
      ],
      {
        cwd: appDir,
        encoding: 'utf8',
        env: {
          ...process.env,
          TS_NODE_TRANSPILE_ONLY: '1',
          TS_NODE_PROJECT: 'tsconfig.lib.json',
          CI: '1',
        },
        timeout: 120_000,
      },
    );
    expect(run.stderr).not.toMatch(/Error:|at .*\.ts:\d+/);
    expect(run.status).toBe(0);
    const dir = path.join(out, 'e2e');
    const report = fs.readFileSync(path.join(dir, 'report.md'), 'utf8');
    expect(report).toMatch(/Table 1 shape: rank-determination runtime/);
    expect(report).toMatch(/Table 2 shape: final loss and relative error/);
    expect(report).toMatch(/\| hyperbolic \| sublora-g \|/);
    for (const name of [
      'error-vs-budget-hyperbolic-1_1',
      'alternating-hyperbolic-1_1',
      'rank-allocation-hyperbolic-1_1',
    ]) {
      const svg = fs.readFileSync(path.join(dir, 'plots', `${name}.svg`), 'utf8');
      expect(svg).toMatch(/^<svg/);
      const png = fs.readFileSync(path.join(dir, 'plots', `${name}.png`));
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect(report).toContain(`plots/${name}.svg`);
    }
    const kinds = new Set(
      fs
        .readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).kind),
    );
    expect([...kinds].sort()).toEqual([
      'alternating',
      'alternating-round',
      'determination',
      'epoch',
      'finetune',
      'pretrain',
    ]);
  }, 150_000);
});

/** Every file under `dir` with its contents, to show a command changed nothing. */
function contents(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (entry.isFile()) {
      const file = path.join(entry.parentPath, entry.name);
      out[path.relative(dir, file)] = fs.readFileSync(file, 'base64');
    }
  return out;
}

describe('an existing run with a changed configuration', () => {
  const base = ['--preset', 'smoke', '--out', '', '--name', 'sw', '--quiet'];
  beforeAll(async () => {
    base[3] = out;
    expect((await cli(['pretrain', ...base])).code).toBe(0);
  });

  it.each([8, 4])(
    'is refused with one line naming network.width and --name when the width becomes %d, and nothing in the run directory changes',
    async (width) => {
      const dir = path.join(out, 'sw');
      const before = contents(dir);
      const res = await cli(['finetune', ...base, '--set', `network.width=${width}`]);
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(
        new RegExp(
          `^sublora-pinn: network\\.width: checkpoint elliptic/pretrain-seed0 in \\S+sw was trained with 6, this command resolves ${width}; pass --name NEW to start a separate run \\(or delete \\S+sw to start over\\)\\n$`,
        ),
      );
      expect(contents(dir)).toEqual(before);
    },
  );

  it('reuses the checkpoints when only keys they do not depend on change, and redoes measurements under new evaluation settings', async () => {
    const dir = path.join(out, 'sw');
    const results = () => JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8'));
    const before = results().pretrain['elliptic/seed0'];
    const kinds = () =>
      fs
        .readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).kind as string);
    const epochs = kinds().filter((k) => k === 'epoch').length;

    const res = await cli(['pretrain', ...base, '--set', 'evaluation.resolution=15']);
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/different configuration \(evaluation\.resolution\)/);
    expect(res.stderr).not.toMatch(/resuming/);
    const after = results().pretrain['elliptic/seed0'];
    // Same weights (same loss), error measured again on the finer grid.
    expect(after.loss).toBe(before.loss);
    expect(after.relError).not.toBe(before.relError);
    expect(kinds().filter((k) => k === 'epoch')).toHaveLength(epochs);
    expect(kinds().filter((k) => k === 'pretrain')).toHaveLength(1);
  });
});
