import { listBackends } from '@sublora/backends';
import { sublora } from '../cli.test-utils';
import { formatBackends } from './backends';

describe('sublora backends', () => {
  it('--json prints what listBackends finds here, one row per backend', async () => {
    const run = await sublora(['backends', '--json']);
    expect(run.code).toBe(0);
    const rows = JSON.parse(run.stdout) as { name: string; available: boolean }[];
    const truth = await listBackends();
    expect(rows.map((r) => [r.name, r.available])).toEqual(truth.map((r) => [r.name, r.available]));
    expect(rows[0]).toMatchObject({ name: 'reference', available: true });
  });

  it('prints each backend with its status, and the tfjs engines it skipped and why', async () => {
    const run = await sublora(['backends']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^reference +available\n {2}dtypes float64, float32$/m);
    for (const row of await listBackends()) {
      expect(run.stdout).toMatch(
        new RegExp(`^${row.name} +${row.available ? 'available' : 'not available'}$`, 'm'),
      );
    }
  });

  it('says why a backend is unavailable and how to install it', () => {
    const text = formatBackends([
      { name: 'reference', available: true, dtypes: ['float64'] },
      {
        name: 'onnxruntime',
        available: false,
        reason: '@sublora/backend-onnxruntime failed to load: binding missing',
        install: 'npm install @sublora/backend-onnxruntime onnxruntime-node',
      },
    ]);
    expect(text).toBe(
      [
        'reference    available',
        '  dtypes float64',
        'onnxruntime  not available',
        '  why: @sublora/backend-onnxruntime failed to load: binding missing',
        '  install: npm install @sublora/backend-onnxruntime onnxruntime-node',
        '',
      ].join('\n'),
    );
  });
});
