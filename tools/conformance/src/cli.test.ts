import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runConformanceCommand, type ConformanceResults } from './cli';

const created: string[] = [];
afterAll(() => created.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('conformance command', () => {
  it('prints tables, writes JSON, and exits 2 when a named backend is missing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conformance-'));
    created.push(dir);
    const out = path.join(dir, 'r.json');
    const printed: string[] = [];
    const { exitCode } = await runConformanceCommand({
      backends: ['tfjs:cpu', 'tfjs:node'],
      out,
      print: (t) => printed.push(t),
    });
    expect(exitCode).toBe(2);
    const text = printed.join('\n');
    expect(text).toMatch(/^tfjs:cpu float32: \d+ passed, 0 failed/m);
    expect(text).toMatch(/tfjs:node .* npm install @tensorflow\/tfjs-node@4\.22\.0/);
    const json = JSON.parse(fs.readFileSync(out, 'utf8')) as ConformanceResults;
    expect(json.targets.map((t) => [t.name, t.available])).toEqual([
      ['tfjs:cpu', true],
      ['tfjs:node', false],
    ]);
    expect(json.targets[0].description).toMatchObject({ engine: 'cpu' });
    expect(json.targets[0].reports[0].results.every((r) => r.pass)).toBe(true);
  });

  it('exits 0 when every case passes and writes nothing with out: null', async () => {
    const { exitCode, results } = await runConformanceCommand({
      backends: ['reference'],
      dtype: 'float32',
      out: null,
      print: () => {},
    });
    expect(exitCode).toBe(0);
    expect(results.targets[0].reports.map((r) => r.dtype)).toEqual(['float32']);
  });
});
