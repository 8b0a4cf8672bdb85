import { createHash } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import { serializeSafetensors } from '@sublora/formats';
import { hasCheckpoint, loadCheckpoint, saveCheckpoint } from './checkpoint';
import { resolveConfig } from './config';

// The module object itself (not an import-star copy), so spies reach write-file-atomic's calls.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fs: typeof import('node:fs') = require('node:fs');

function tensors(seed: number) {
  const data = Float64Array.from({ length: 1000 }, (_, i) => Math.sin(i * seed) / 3);
  return {
    'param/W1': { shape: [10, 100], data },
    'param/b1': { shape: [3], data: Float64Array.from([seed, -seed, 0.1]) },
  };
}
const meta = (step: number) => ({
  phase: 'pretrain',
  step,
  seed: 0,
  config: { name: 'smoke' },
  state: { note: `at ${step}` },
});

describe('checkpoints', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pinn-ckpt-'));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('round-trips tensors and metadata bit-exactly', () => {
    expect(hasCheckpoint(dir, 'run')).toBe(false);
    saveCheckpoint(dir, 'run', tensors(1), meta(5));
    const back = loadCheckpoint(dir, 'run');
    expect(back.meta).toMatchObject({
      phase: 'pretrain',
      step: 5,
      seed: 0,
      state: { note: 'at 5' },
    });
    expect(back.meta.versions['@sublora/pinn']).toMatch(/^\d+\.\d+\.\d+$/);
    expect(Array.from(back.tensors['param/W1'].data)).toEqual(
      Array.from(tensors(1)['param/W1'].data),
    );
    expect(back.tensors['param/W1'].shape).toEqual([10, 100]);
  });

  it('replaces the previous weights file on a later save', () => {
    saveCheckpoint(dir, 'run', tensors(1), meta(5));
    saveCheckpoint(dir, 'run', tensors(2), meta(9));
    expect(fs.readdirSync(dir).sort()).toEqual([
      expect.stringMatching(/^run\.0000009\.[0-9a-f]{12}\.safetensors$/),
      'run.json',
    ]);
    expect(loadCheckpoint(dir, 'run').meta.step).toBe(9);
  });

  it('leaves the previous checkpoint readable, and no temp file, when a write dies halfway', () => {
    saveCheckpoint(dir, 'run', tensors(1), meta(5));
    const realWrite = fs.writeSync;
    jest.spyOn(fs, 'writeSync').mockImplementation(((fd: number, data: Uint8Array) => {
      realWrite(fd, data.subarray(0, Math.floor(data.length / 2)));
      throw new Error('simulated crash: process killed mid-write');
    }) as unknown as typeof fs.writeSync);
    expect(() => saveCheckpoint(dir, 'run', tensors(2), meta(9))).toThrow(/simulated crash/);
    jest.restoreAllMocks();
    const back = loadCheckpoint(dir, 'run');
    expect(back.meta.step).toBe(5);
    expect(back.tensors['param/b1'].data[0]).toBe(1);
    // The failed write cleans up after itself: only the committed checkpoint is left.
    expect(fs.readdirSync(dir).sort()).toEqual([
      expect.stringMatching(/^run\.0000005\.[0-9a-f]{12}\.safetensors$/),
      'run.json',
    ]);
  });

  it('leaves the previous checkpoint readable when the sidecar commit dies', () => {
    saveCheckpoint(dir, 'run', tensors(1), meta(5));
    let renames = 0;
    const realRename = fs.renameSync;
    jest.spyOn(fs, 'renameSync').mockImplementation((a, b) => {
      if (++renames === 2) throw new Error('simulated crash before sidecar rename');
      realRename(a, b);
    });
    expect(() => saveCheckpoint(dir, 'run', tensors(2), meta(9))).toThrow(/sidecar rename/);
    jest.restoreAllMocks();
    expect(loadCheckpoint(dir, 'run').meta.step).toBe(5);
    // The next successful save commits normally.
    saveCheckpoint(dir, 'run', tensors(3), meta(12));
    expect(loadCheckpoint(dir, 'run').tensors['param/b1'].data[0]).toBe(3);
  });

  it('refuses a truncated or edited weights file with a one-line message', () => {
    const side = saveCheckpoint(dir, 'run', tensors(1), meta(5));
    const file = path.join(dir, side.weights);
    fs.truncateSync(file, 100);
    const fix = `delete ${path.join(dir, 'run.json')} and rerun to train the phase again`;
    expect(() => loadCheckpoint(dir, 'run')).toThrow(
      `contents do not match the sidecar's sha256 (truncated or edited); ${fix}`,
    );
    fs.rmSync(file);
    expect(() => loadCheckpoint(dir, 'run')).toThrow(`is missing; ${fix}`);
    fs.writeFileSync(path.join(dir, 'run.json'), '{"format": 3');
    expect(() => loadCheckpoint(dir, 'run')).toThrow(/unreadable checkpoint sidecar/);
  });

  describe('loaded against the resolved configuration', () => {
    const config = resolveConfig('smoke', {});
    const shapes: Record<string, number[]> = { 'param/W1': [10, 100], 'param/b1': [3] };
    const saved = (overrides: Record<string, unknown>) =>
      saveCheckpoint(dir, 'pretrain-seed0', tensors(1), {
        ...meta(5),
        config: resolveConfig('smoke', overrides),
      });
    const load = (expected = shapes) =>
      loadCheckpoint(dir, 'pretrain-seed0', {
        config,
        stage: 'pretrain',
        seed: 0,
        shapes: expected,
      });

    it('accepts a checkpoint of the same configuration and shapes', () => {
      saved({ checkpointEvery: 3, 'determination.budgets': [1] });
      expect(load().meta.step).toBe(5);
    });

    it.each([
      ['network.width', 8],
      ['points.interior', 30],
      ['optimizer.pretrain.lr', 0.5],
      ['epochs.pretrain', 61],
      ['pretrainLambda', [1, 2]],
    ])('refuses one trained with a different %s, naming the key and --name', (key, value) => {
      saved({ [key]: value });
      expect(() => load()).toThrow(
        new RegExp(
          `^${key.replace('.', '\\.')}: checkpoint pinn-ckpt-\\w+/pretrain-seed0 in .* was trained with .*, this command resolves .*; pass --name NEW`,
        ),
      );
    });

    it('refuses missing, extra, reshaped and non-float64 tensors', () => {
      saved({});
      expect(() => load({ ...shapes, 'param/W2': [3, 3] })).toThrow(/'param\/W2' is missing/);
      expect(() => load({ 'param/W1': [10, 100] })).toThrow(/'param\/b1' is not part/);
      expect(() => load({ ...shapes, 'param/W1': [100, 10] })).toThrow(
        /'param\/W1' has shape \[10, 100\], expected \[100, 10\]; .*--name NEW/,
      );
      const side = JSON.parse(fs.readFileSync(path.join(dir, 'pretrain-seed0.json'), 'utf8'));
      const bytes = serializeSafetensors({
        'param/W1': { dtype: 'F32', shape: [10, 100], data: new Float32Array(1000) },
        'param/b1': { dtype: 'F64', shape: [3], data: new Float64Array(3) },
      });
      fs.writeFileSync(path.join(dir, side.weights), bytes);
      side.sha256 = createHash('sha256').update(bytes).digest('hex');
      fs.writeFileSync(path.join(dir, 'pretrain-seed0.json'), JSON.stringify(side));
      expect(() => load()).toThrow(/'param\/W1' has dtype F32, expected F64/);
    });
  });
});
