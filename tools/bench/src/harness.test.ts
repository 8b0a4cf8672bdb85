import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pinnSizesOfWidths } from './autodiff/pinn-loss';
import { parseFlags, resultPath, summarize, writeResults, type FlagSpec } from './harness';

const parse = (spec: FlagSpec, ...args: string[]) => parseFlags(spec, ['node', 'main.js', ...args]);

describe('parseFlags: value flags', () => {
  const spec = { switches: ['--quick'], values: ['--widths', '--rounds'] };

  it('reads the value after a flag (or after =) and nothing for an absent flag', () => {
    const flags = parse(spec, '--widths', '64,256', '--quick');
    expect(flags.values.get('--widths')).toBe('64,256');
    expect(flags.values.has('--rounds')).toBe(false);
    expect(parse(spec, '--widths=64').values.get('--widths')).toBe('64');
  });

  it('throws a one-line error naming the flag when its value is missing', () => {
    expect(() => parse(spec, '--quick', '--out')).toThrow(/^--out: missing value$/);
    // the next word is another flag, not a value
    expect(() => parse(spec, '--widths', '--quick')).toThrow(/^--widths: missing value$/);
  });
});

describe('parseFlags: switches', () => {
  it('reports the switches given, a --no- switch included', () => {
    const spec = { switches: ['--quick', '--no-chunked', '--ablation'], values: [] };
    expect([...parse(spec, '--no-chunked', '--quick').switches]).toEqual([
      '--quick',
      '--no-chunked',
    ]);
    expect(parse(spec).switches.size).toBe(0);
  });
});

describe('parseFlags: positive integers', () => {
  const spec = { switches: [], values: [], positiveInts: ['--rounds'] };

  it('reads a positive integer, nothing when absent, and names the flag and value otherwise', () => {
    expect(parse(spec, '--rounds', '3').positiveInts.get('--rounds')).toBe(3);
    expect(parse(spec).positiveInts.has('--rounds')).toBe(false);
    for (const bad of ['x', '0', '1.5', '-2'])
      expect(() => parse(spec, '--rounds', bad)).toThrow(
        `--rounds: '${bad}' is not a positive integer`,
      );
  });
});

describe('parseFlags: unknown arguments', () => {
  const spec = { switches: ['--quick'], values: ['--widths'] };

  it('accepts the switches, the value flags with their values, and --out', () => {
    expect(() => parse(spec)).not.toThrow();
    expect(() => parse(spec, '--quick', '--widths', '64,256', '--out', 'x.json')).not.toThrow();
  });

  it('names a misspelt flag or a stray word and lists the flags taken', () => {
    expect(() => parse(spec, '--widht', '1000')).toThrow(
      "unknown argument '--widht'; this benchmark takes --quick, --widths, --out",
    );
    expect(() => parse(spec, '--widths', '64', '256')).toThrow("unknown argument '256'");
    expect(() => parse({ ...spec, positiveInts: ['--rounds'] }, '--help')).toThrow(
      "unknown argument '--help'; this benchmark takes --quick, --widths, --rounds, --out",
    );
  });
});

describe('resultPath', () => {
  const none = { switches: [], values: [] };

  it('is --out when given, else results/<name>.json', () => {
    expect(resultPath('autodiff', parse(none, '--out', '/tmp/x.json'))).toBe('/tmp/x.json');
    expect(resultPath('autodiff', parse(none))).toMatch(/results[/\\]autodiff\.json$/);
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
