import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ALL_TARGETS,
  DEFAULT_SEED,
  formatReport,
  loadTargets,
  runConformance,
  type Target,
} from './index';

// Three draws of random shapes and values per case.
const SEEDS = [DEFAULT_SEED, 1, 2];

// What this machine (no GPU, no libtensorflow) must offer. onnxruntime is
// expected as soon as its package has an entry point.
const onnxruntimePresent = fs.existsSync(
  path.join(__dirname, '../../../packages/backend-onnxruntime/src/index.ts'),
);
const EXPECTED_AVAILABLE = [
  'reference',
  'tfjs:wasm',
  'tfjs:cpu',
  ...(onnxruntimePresent ? ['onnxruntime'] : []),
];

let targets: Target[];
beforeAll(async () => {
  targets = await loadTargets();
  const lines = targets.map((t) =>
    'backend' in t ? `  ${t.name}: available` : `  ${t.name}: UNAVAILABLE (${t.reason})`,
  );
  console.log(`conformance targets on this machine:\n${lines.join('\n')}`);
});

it('finds exactly the expected backends here, with a reason for each missing one', () => {
  const available = targets.filter((t) => 'backend' in t).map((t) => t.name);
  expect(available).toEqual(ALL_TARGETS.filter((n) => EXPECTED_AVAILABLE.includes(n)));
  for (const t of targets) {
    if ('reason' in t) expect(t.reason).toMatch(/install with: npm install /);
  }
});

describe.each(ALL_TARGETS)('%s', (name) => {
  it('matches the float64 reference in every dtype it computes in (or is expected to be missing)', async () => {
    const target = targets.find((t) => t.name === name)!;
    if (!('backend' in target)) {
      expect(EXPECTED_AVAILABLE).not.toContain(name);
      return;
    }
    const failures: string[] = [];
    for (const dtype of target.backend.dtypes) {
      for (const seed of SEEDS) {
        const report = await runConformance(target.backend, { dtype, seed });
        expect(report.passed + report.failed).toBeGreaterThan(40);
        if (report.failed > 0) failures.push(formatReport(name, report));
      }
    }
    expect(failures).toEqual([]);
  }, 240_000); // onnxruntime compiles a session per new shape: about 25 s of CPU, minutes on a loaded machine
});
