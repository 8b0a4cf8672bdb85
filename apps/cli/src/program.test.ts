import * as fs from 'node:fs';
import * as path from 'node:path';
import { METHOD_DESCRIPTIONS, METHODS } from '@sublora/rank-determination';
import { sublora } from './cli.test-utils';

describe('sublora program', () => {
  it('prints the package version', async () => {
    const { version } = JSON.parse(
      fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'),
    );
    expect(await sublora(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it.each([[[]], [['select']], [['check']], [['methods']]])(
    '--help works for %j',
    async (prefix) => {
      const run = await sublora([...prefix, '--help']);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^Usage: sublora/);
    },
  );

  it('lists every method with its description', async () => {
    const run = await sublora(['methods']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(METHODS.length);
    METHODS.forEach((m, k) => {
      expect(lines[k].startsWith(m)).toBe(true);
      expect(lines[k]).toContain(METHOD_DESCRIPTIONS[m].rule);
    });
    expect(lines.find((l) => l.startsWith('sublora-r'))).toContain('uses --seed');
    const json = await sublora(['methods', '--json']);
    expect(JSON.parse(json.stdout)).toEqual(METHOD_DESCRIPTIONS);
  });

  it('shows help on stderr and exits 2 without a command', async () => {
    const run = await sublora([]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^Usage: sublora/);
  });
});
