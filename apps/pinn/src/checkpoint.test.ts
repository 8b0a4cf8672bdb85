import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type CheckpointFs, hasCheckpoint, loadCheckpoint, saveCheckpoint } from './checkpoint';

const realFs: CheckpointFs = {
  openSync: (f, flags) => fs.openSync(f, flags),
  writeSync: (fd, data) => fs.writeSync(fd, data),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  closeSync: (fd) => fs.closeSync(fd),
  renameSync: (a, b) => fs.renameSync(a, b),
};

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
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

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
    expect(fs.readdirSync(dir).sort()).toEqual(['run.0000009.safetensors', 'run.json']);
    expect(loadCheckpoint(dir, 'run').meta.step).toBe(9);
  });

  it('leaves the previous checkpoint readable when a write dies halfway', () => {
    saveCheckpoint(dir, 'run', tensors(1), meta(5));
    const crashing: CheckpointFs = {
      ...realFs,
      writeSync: (fd, data) => {
        fs.writeSync(fd, data.subarray(0, Math.floor(data.length / 2)));
        throw new Error('simulated crash: process killed mid-write');
      },
    };
    expect(() => saveCheckpoint(dir, 'run', tensors(2), meta(9), crashing)).toThrow(
      /simulated crash/,
    );
    const back = loadCheckpoint(dir, 'run');
    expect(back.meta.step).toBe(5);
    expect(back.tensors['param/b1'].data[0]).toBe(1);
  });

  it('leaves the previous checkpoint readable when the sidecar commit dies', () => {
    saveCheckpoint(dir, 'run', tensors(1), meta(5));
    let renames = 0;
    const crashing: CheckpointFs = {
      ...realFs,
      renameSync: (a, b) => {
        if (++renames === 2) throw new Error('simulated crash before sidecar rename');
        fs.renameSync(a, b);
      },
    };
    expect(() => saveCheckpoint(dir, 'run', tensors(2), meta(9), crashing)).toThrow(
      /sidecar rename/,
    );
    expect(loadCheckpoint(dir, 'run').meta.step).toBe(5);
    // The next successful save commits normally.
    saveCheckpoint(dir, 'run', tensors(3), meta(12));
    expect(loadCheckpoint(dir, 'run').tensors['param/b1'].data[0]).toBe(3);
  });

  it('refuses a truncated or edited weights file with a one-line message', () => {
    const side = saveCheckpoint(dir, 'run', tensors(1), meta(5));
    const file = path.join(dir, side.weights);
    fs.truncateSync(file, 100);
    expect(() => loadCheckpoint(dir, 'run')).toThrow(/do not match the sidecar's sha256/);
    fs.rmSync(file);
    expect(() => loadCheckpoint(dir, 'run')).toThrow(/is missing; rerun the phase/);
    fs.writeFileSync(path.join(dir, 'run.json'), '{"format": 3');
    expect(() => loadCheckpoint(dir, 'run')).toThrow(/unreadable checkpoint sidecar/);
  });
});
