/**
 * "Swap the backend per deployment": the packages as the npm tarballs users
 * get (`npm pack`), installed into a fresh project that has only
 * `@sublora/rank-determination`, `@sublora/backends`, `@sublora/autodiff`
 * (and what they need) plus one backend package, or no backend package at all.
 * The backend packages are optional peer dependencies of `@sublora/backends`,
 * so nothing else lands on disk; the consumer computes a Hessian and a
 * selection there, compared with the same computation in this workspace.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { referenceBackend, type Backend } from '@sublora/tensor';

/** What the consumer computes; the script is plain CommonJS, run as is in the consumer project. */
type Computed = { grad: number[]; hessian: number[]; kept: number[] };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { compute } = require('./consumer-script.js') as {
  compute: (backend: Backend) => Promise<Computed>;
};

const REPO = path.join(__dirname, '..', '..', '..');
const CORE = [
  'tensor',
  'autodiff',
  'set-function',
  'greedy',
  'hessian-projection',
  'rank-determination',
  'backends',
];

interface ConsumerReport extends Computed {
  backend: string;
  available: string[];
  install: Record<string, string>;
  tfjsOnDisk: boolean;
  onnxruntimeOnDisk: boolean;
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sublora-packed-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** `npm pack` of each package into `work/tarballs`; returns name -> tarball path. */
function pack(packages: readonly string[]): Record<string, string> {
  const dest = path.join(work, 'tarballs');
  fs.mkdirSync(dest, { recursive: true });
  const out: Record<string, string> = {};
  for (const p of packages) {
    const dir = path.join(REPO, 'packages', p);
    if (!fs.existsSync(path.join(dir, 'dist', 'index.js')))
      throw new Error(`packages/${p}/dist is missing; build first (npm ci builds every project)`);
    const json = execFileSync('npm', ['pack', '--json', '--pack-destination', dest], {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [{ name, filename }] = JSON.parse(json) as { name: string; filename: string }[];
    out[name] = path.join(dest, filename);
  }
  return out;
}

/** A fresh project depending on the given tarballs; runs the consumer script with `args`. */
function consumer(name: string, tarballs: Record<string, string>, args: string[]): ConsumerReport {
  const dir = path.join(work, name);
  fs.mkdirSync(dir);
  const dependencies = Object.fromEntries(
    Object.entries(tarballs).map(([n, f]) => [n, `file:${f}`]),
  );
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: `consumer-${name}`, private: true, dependencies }, null, 2),
  );
  // no install scripts: onnxruntime-node's would download CUDA binaries (its CPU engine is bundled)
  execFileSync(
    'npm',
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--no-package-lock',
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  fs.copyFileSync(path.join(__dirname, 'consumer-script.js'), path.join(dir, 'consumer.js'));
  const stdout = execFileSync('node', ['consumer.js', ...args], { cwd: dir, encoding: 'utf8' });
  return JSON.parse(stdout) as ConsumerReport;
}

/** The consumer's computation in this workspace (the same function), on the reference backend. */
const expected = (): Promise<Computed> => compute(referenceBackend);

const close = (a: readonly number[], b: readonly number[]) =>
  a.every((x, i) => Math.abs(x - b[i]) <= 1e-12 * Math.max(1, Math.abs(b[i])));

describe('packed consumers', () => {
  let tarballs: Record<string, string>;
  beforeAll(() => {
    tarballs = pack([...CORE, 'backend-onnxruntime']);
  }, 120_000);

  it('with only @sublora/backend-onnxruntime: computes there, and no tfjs is on disk', async () => {
    const { '@sublora/backend-onnxruntime': ort, ...core } = tarballs;
    const report = consumer('onnxruntime', { ...core, '@sublora/backend-onnxruntime': ort }, [
      'onnxruntime',
    ]);
    const truth = await expected();
    expect(report.backend).toBe('onnxruntime');
    expect(close(report.grad, truth.grad)).toBe(true);
    expect(close(report.hessian, truth.hessian)).toBe(true);
    expect(report.kept).toEqual(truth.kept);
    expect(report.available).toEqual(['reference', 'onnxruntime']);
    expect(report.install.tfjs).toMatch(/^npm install @sublora\/backend-tfjs /);
    expect(report.tfjsOnDisk).toBe(false);
    expect(report.onnxruntimeOnDisk).toBe(true);
  }, 300_000);

  it('with no backend package: the reference backend, and neither engine on disk', async () => {
    const { '@sublora/backend-onnxruntime': _ort, ...core } = tarballs;
    const report = consumer('reference', core, []);
    const truth = await expected();
    expect(report.backend).toBe('reference');
    expect(report.grad).toEqual(truth.grad);
    expect(report.hessian).toEqual(truth.hessian);
    expect(report.kept).toEqual(truth.kept);
    expect(report.available).toEqual(['reference']);
    expect(report.install.onnxruntime).toBe(
      'npm install @sublora/backend-onnxruntime onnxruntime-node',
    );
    expect(report.tfjsOnDisk).toBe(false);
    expect(report.onnxruntimeOnDisk).toBe(false);
  }, 300_000);
});
