import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pinnSizesOfWidths } from './autodiff/pinn-loss';
import {
  checkFlags,
  flagValue,
  positiveIntFlag,
  resultPath,
  summarize,
  writeResults,
} from './harness';

describe('flagValue', () => {
  const argv = ['node', 'main.js', '--widths', '64,256', '--quick', '--out'];

  it('reads the value after a flag and undefined for an absent flag', () => {
    expect(flagValue('--widths', argv)).toBe('64,256');
    expect(flagValue('--rounds', argv)).toBeUndefined();
  });

  it('throws a one-line error naming the flag when its value is missing', () => {
    expect(() => flagValue('--out', argv)).toThrow(/^--out: missing value$/);
    // the next word is another flag, not a value
    expect(() => flagValue('--widths', ['node', 'main.js', '--widths', '--quick'])).toThrow(
      '--widths: missing value',
    );
  });
});

describe('positiveIntFlag', () => {
  it('reads a positive integer, undefined when absent, and names the flag and value otherwise', () => {
    expect(positiveIntFlag('--rounds', ['node', 'main.js', '--rounds', '3'])).toBe(3);
    expect(positiveIntFlag('--rounds', ['node', 'main.js'])).toBeUndefined();
    for (const bad of ['x', '0', '1.5', '-2'])
      expect(() => positiveIntFlag('--rounds', ['node', 'main.js', '--rounds', bad])).toThrow(
        `--rounds: '${bad}' is not a positive integer`,
      );
  });
});

describe('checkFlags', () => {
  const spec = { switches: ['--quick'], values: ['--widths'] };
  const run =
    (...args: string[]) =>
    () =>
      checkFlags(spec, ['node', 'main.js', ...args]);

  it('accepts the switches, the value flags with their values, and --out', () => {
    expect(run()).not.toThrow();
    expect(run('--quick', '--widths', '64,256', '--out', 'x.json')).not.toThrow();
  });

  it('names a misspelt flag or a stray word and lists the flags taken', () => {
    expect(run('--widht', '1000')).toThrow(
      "unknown argument '--widht'; this benchmark takes --quick, --widths, --out",
    );
    expect(run('--widths', '64', '256')).toThrow("unknown argument '256'");
  });
});

describe('resultPath', () => {
  it('is --out when given, else results/<name>.json', () => {
    expect(resultPath('autodiff', ['node', 'main.js', '--out', '/tmp/x.json'])).toBe('/tmp/x.json');
    expect(resultPath('autodiff', ['node', 'main.js'])).toMatch(/results[/\\]autodiff\.json$/);
  });

  it('throws when --out has no value, instead of falling back to the default file', () => {
    expect(() => resultPath('autodiff', ['node', 'main.js', '--out'])).toThrow('--out');
    expect(() => resultPath('autodiff', ['node', 'main.js', '--out', '--quick'])).toThrow('--out');
  });
});

describe('writeResults', () => {
  it('writes the benchmark name, the machine and the payload, and leaves no partial file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-'));
    try {
      const path = join(dir, 'sub', 'r.json');
      writeResults(path, 'demo', { cases: [1, 2] });
      const written = JSON.parse(readFileSync(path, 'utf8'));
      expect(written.benchmark).toBe('demo');
      expect(written.cases).toEqual([1, 2]);
      expect(typeof written.machine.node).toBe('string');
      expect(readdirSync(join(dir, 'sub'))).toEqual(['r.json']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('summarize', () => {
  it('gives the median (mean of the middle two for even counts), minimum and mean', () => {
    expect(summarize([3, 1, 2])).toEqual({ medianMs: 2, minMs: 1, meanMs: 2, repeats: 3 });
    expect(summarize([4, 1, 3, 2])).toEqual({ medianMs: 2.5, minMs: 1, meanMs: 2.5, repeats: 4 });
  });
});

describe('pinnSizesOfWidths', () => {
  it('picks the sizes named, in order, and the defaults when absent', () => {
    expect(pinnSizesOfWidths('256, 64', [64]).map((s) => [s.width, s.rank])).toEqual([
      [256, 16],
      [64, 8],
    ]);
    expect(pinnSizesOfWidths(undefined, [1000]).map((s) => s.rank)).toEqual([50]);
  });

  it('picks from another table when given one (the quick sizes of the backends bench)', () => {
    const table = [{ width: 16, rank: 4, interior: 128, boundary: 32 }];
    expect(pinnSizesOfWidths('16', [], table)).toEqual(table);
    expect(() => pinnSizesOfWidths('64', [], table)).toThrow(
      "--widths: no benchmark size of width '64'; use any of 16",
    );
  });

  it('rejects an unknown width with the known ones', () => {
    expect(() => pinnSizesOfWidths('64,128', [64])).toThrow(
      "--widths: no benchmark size of width '128'; use any of 64,256,1000",
    );
  });
});
