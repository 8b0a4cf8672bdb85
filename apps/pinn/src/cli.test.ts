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

  it.each([
    [['experiment', '--set', 'seeds=[0,0]'], 'seeds lists 0 twice'],
    [['experiment', '--set', 'seeds=[0,0]', '--set', 'evaluation.resolution=11'], 'seeds lists 0'],
    [['plan', '--set', 'targetLambdas=[[1,1],[1,1]]'], 'targets lists [1,1] twice'],
    [['pretrain', '--set', 'seeds=[3,3]', '--set', 'evaluation.resolution=11'], 'seeds lists 3'],
  ])(
    '%j (duplicate grid values) is refused in one line before anything in the run directory is written',
    async (args, message) => {
      const dir = path.join(out, 'sw');
      const before = contents(dir);
      const res = await cli([...args, ...base]);
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/^sublora-pinn: grid: [^\n]*\n$/);
      expect(res.stderr).toContain(message);
      expect(contents(dir)).toEqual(before);
    },
  );

  it('names a config.json that is not valid JSON and the fix, changing nothing', async () => {
    const dir = path.join(out, 'badjson');
    fs.mkdirSync(dir, { recursive: true });
    for (const text of ['{"name": "badjson",', '[1, 2]\n']) {
      fs.writeFileSync(path.join(dir, 'config.json'), text);
      const before = contents(dir);
      const res = await cli(['pretrain', '--preset', 'smoke', '--out', out, '--name', 'badjson']);
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(
        /^sublora-pinn: \S+badjson\/config\.json: is not a valid configuration \([^)]+\); restore it from a backup, or delete \S+badjson to start the run over\n$/,
      );
      expect(contents(dir)).toEqual(before);
    }
  });

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

describe('experiment --executor k8s', () => {
  async function manifest(name: string): Promise<string> {
    const res = await cli([
      'experiment',
      '--preset',
      'smoke',
      '--out',
      out,
      '--name',
      name,
      '--executor',
      'k8s',
      '--quiet',
    ]);
    expect(res.stderr).not.toMatch(/^sublora-pinn: (?!run )/m);
    expect(res.code).toBe(0);
    return fs.readFileSync(path.join(out, name, 'k8s', 'phase-0.yaml'), 'utf8');
  }
  const jobName = (yaml: string) => /^ {2}name: (\S+)$/m.exec(yaml)?.[1];

  it('points the pods at the run directory by its real name, with a DNS-label Job name', async () => {
    const yaml = await manifest('My_Run.1');
    expect(yaml).toMatch(/^\s+- \/runs\/My_Run\.1$/m);
    expect(yaml).not.toMatch(/\/runs\/my-run-1/);
    expect(jobName(yaml)).toMatch(/^my-run-1-[0-9a-f]{6}-phase-0$/);
    // a name that is already a DNS label is used as it is
    expect(jobName(await manifest('plain-name'))).toBe('plain-name-phase-0');
  });

  it('gives distinct run names distinct Job names', async () => {
    const names: (string | undefined)[] = [];
    // one after another: runCli holds one run's lock at a time
    for (const n of ['ab_c', 'ab-c', 'AB-C']) names.push(jobName(await manifest(n)));
    expect(new Set(names).size).toBe(3);
  });
});

describe('worker --phase', () => {
  it.each(['', ' ', '0x0', '1e0', '+1', '1.0', '-0'])(
    '%j is refused in one line like a bad --index',
    async (phase) => {
      const name = 'wk';
      if (!fs.existsSync(path.join(out, name, 'tasks.json')))
        expect(
          (await cli(['plan', '--preset', 'smoke', '--out', out, '--name', name, '--quiet'])).code,
        ).toBe(0);
      const run = path.join(out, name);
      const res = await cli(['worker', '--run', run, '--phase', phase, '--index', '0', '--quiet']);
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(
        new RegExp(
          `^sublora-pinn: --phase: '${phase.replace(/[.+]/g, '\\$&')}' is not a phase of \\S+; use 0\\.\\.2\\n$`,
        ),
      );
      expect(fs.existsSync(path.join(run, 'shards'))).toBe(false);
    },
  );
});
