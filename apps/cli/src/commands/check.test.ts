import * as fs from 'node:fs';
import * as path from 'node:path';
import { serializeNpy } from '@sublora/formats';
import { expectOneLineError, sublora, tempDir, TOY } from '../cli.test-utils';

describe('sublora check', () => {
  it('reports the toy example as not submodular, and what the projection removes', async () => {
    const run = await sublora([
      'check',
      '--hessian',
      JSON.stringify(TOY.hessian),
      '--sigma',
      JSON.stringify(TOY.sigma),
      '--json',
    ]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const report = JSON.parse(run.stdout);
    expect(report).toEqual({
      r: 2,
      submodular: false,
      violationCount: 1,
      offDiagonalPairs: 1,
      violations: [{ i: 0, j: 1, value: expect.closeTo(-2 * 1 * 2.1, 12) }],
      projection: {
        removedEntries: 2,
        removedPairs: 1,
        // ||H - G||_F = sqrt(2 * 2^2), ||H||_F = 4
        frobeniusDistance: expect.closeTo(Math.sqrt(8), 12),
        relativeFrobeniusDistance: expect.closeTo(Math.sqrt(8) / 4, 12),
      },
    });
  });

  it('counts violations against brute force on a random matrix, and lists the first five', async () => {
    const r = 7;
    const sigma = Array.from({ length: r }, (_, i) => (i % 3 === 0 ? -1 : 1) * (0.5 + i));
    const h: number[][] = Array.from({ length: r }, () => new Array<number>(r).fill(0));
    for (let i = 0; i < r; i++) {
      for (let j = i; j < r; j++) h[i][j] = h[j][i] = Math.sin(3 * i + 7 * j + 1);
    }
    let violating = 0;
    for (let i = 0; i < r; i++)
      for (let j = i + 1; j < r; j++) if (h[i][j] * sigma[i] * sigma[j] < 0) violating++;
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'h.json'), JSON.stringify({ data: h.flat(), size: r }));
    fs.writeFileSync(
      path.join(dir, 's.npy'),
      serializeNpy({ dtype: 'float64', shape: [r], data: sigma }),
    );
    const json = await sublora(['check', '--hessian', 'h.json', '--sigma', 's.npy', '--json'], dir);
    const report = JSON.parse(json.stdout);
    expect(report.violationCount).toBe(violating);
    expect(report.violations).toHaveLength(violating);
    expect(report.projection.removedPairs).toBe(violating);
    const table = await sublora(['check', '--hessian', 'h.json', '--sigma', 's.npy'], dir);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(`${violating} of ${(r * (r - 1)) / 2} off-diagonal pairs`);
    expect(table.stdout).toContain(`... ${violating - 5} more (--json lists all)`);
    expect(table.stdout).toContain('no (Theorem 2 fails)');
  });

  it('prints a readable report for a submodular input', async () => {
    const run = await sublora(['check', '--hessian', '[[1, 0.5], [0.5, 1]]', '--sigma', '[1, 2]']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/submodular\s+yes \(Theorem 2 holds\)/);
    expect(run.stdout).toMatch(
      /projection removes\s+0 pairs \(0 entries\), \|\|H - G\|\|_F = 0 \(0% of/,
    );
    expect(run.stdout).not.toContain('first violations');
  });

  it('rejects a mis-sized or non-symmetric Hessian with one line', async () => {
    expectOneLineError(
      await sublora(['check', '--hessian', '[[1]]', '--sigma', '[1, 2]']),
      1,
      /^sublora: --hessian: is 1x1 but 2x2 is required to match sigma$/,
    );
    expectOneLineError(
      await sublora(['check', '--hessian', '[[1, 2], [3, 1]]', '--sigma', '[1, 2]']),
      1,
      /^sublora: --hessian: is not symmetric: entry \(0, 1\)/,
    );
    expectOneLineError(
      await sublora(['check', '--sigma', '[1]']),
      2,
      /required option '--hessian <X>'/,
    );
  });

  it('refuses terms that overflow float64 as select does (was Infinity / NaN, exit 0)', async () => {
    const huge = ['--sigma', '[1e200, 2e200]', '--hessian', '[[1e300, -1e300], [-1e300, 1e300]]'];
    const fix = /; rescale the loss, e\.g\. divide grad and hessian by a common factor$/;
    for (const json of [[], ['--json']]) {
      const run = await sublora(['check', ...huge, ...json]);
      expectOneLineError(
        run,
        1,
        /^sublora: --hessian: with this sigma the second-order model overflows float64 \(H_ij sigma_i sigma_j of pair \(0, 1\) is -Infinity\)/,
      );
      expect(run.stderr.trim()).toMatch(fix);
    }
    const select = await sublora([
      'select',
      ...huge,
      '--grad',
      '[0, 0]',
      '--budget',
      '1',
      '--method',
      'exact',
    ]);
    expectOneLineError(
      select,
      1,
      /^sublora: --hessian: with this sigma and grad the second-order model overflows float64/,
    );
    expect(select.stderr.trim()).toMatch(fix);
    // every term finite, the projection's distance beyond float64 (sqrt(6) 8e307)
    const h = '[[1, 8e307, 8e307, 8e307], [8e307, 1, 0, 0], [8e307, 0, 1, 0], [8e307, 0, 0, 1]]';
    expectOneLineError(
      await sublora(['check', '--sigma', '[1, -1, -1, -1]', '--hessian', h]),
      1,
      /^sublora: --hessian: with this sigma the second-order model overflows float64 \(\|\|H - G\|\|_F is Infinity\)/,
    );
  });

  it('reports huge entries whose squares overflow (was refused, or null in --json)', async () => {
    // one violating pair, whose entries square past float64
    const run = await sublora([
      'check',
      '--sigma',
      '[1, 2]',
      '--hessian',
      '[[1e300, -1e300], [-1e300, 1e300]]',
      '--json',
    ]);
    expect(run.code).toBe(0);
    const { projection } = JSON.parse(run.stdout) as {
      projection: { frobeniusDistance: number; relativeFrobeniusDistance: number };
    };
    expect(projection.frobeniusDistance / (Math.SQRT2 * 1e300)).toBeCloseTo(1, 14);
    expect(projection.relativeFrobeniusDistance).toBeCloseTo(Math.SQRT1_2, 14);
  });

  it('names a string size with its quotes (was "size 2 is not a non-negative integer")', async () => {
    expectOneLineError(
      await sublora(['check', '--hessian', '{"data":[1,0,0,1],"size":"2"}', '--sigma', '[1, 2]']),
      1,
      /^sublora: --hessian: size "2" is not a non-negative integer; pass the row count as a number$/,
    );
  });

  it('rejects an empty sigma as select does (was a report on 0 values)', async () => {
    expectOneLineError(
      await sublora(['check', '--hessian', '[]', '--sigma', '[]']),
      1,
      /^sublora: --sigma: is empty; pass at least one singular value$/,
    );
  });

  it('says a quoted number is a string, not "entry 0 is 1"', async () => {
    expectOneLineError(
      await sublora(['check', '--hessian', '[[1, 0], [0, 1]]', '--sigma', '["1", "2"]']),
      1,
      /^sublora: --sigma: entry 0 is the string "1", expected a number; write numbers without quotes/,
    );
    expectOneLineError(
      await sublora(['check', '--hessian', '[[1, null], [0, 1]]', '--sigma', '[1, 2]']),
      1,
      /^sublora: --hessian: row 0, entry 1 is null, expected a number/,
    );
    expectOneLineError(
      await sublora([
        'check',
        '--hessian',
        '{"data": [1, 0, 0, true], "size": 2}',
        '--sigma',
        '[1, 2]',
      ]),
      1,
      /^sublora: --hessian: data entry 3 is the boolean true, expected a number/,
    );
  });
});
