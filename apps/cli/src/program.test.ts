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

  it.each([[['help']], [['help', 'select']], [['help', 'check']]])(
    '%j prints help on stdout and exits 0, as --help does',
    async (argv) => {
      const run = await sublora(argv);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).toMatch(/^Usage: sublora/);
      if (argv[1] !== undefined) {
        expect(run.stdout).toBe((await sublora([argv[1], '--help'])).stdout);
      }
    },
  );

  it('select --help says the default backend is host loops, as the result reports', async () => {
    const help = (await sublora(['select', '--help'])).stdout.replace(/\s+/g, ' ');
    expect(help).not.toContain('reference (default)');
    expect(help).toContain('(default: float64 host loops, unless SUBLORA_BACKEND');
  });

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
