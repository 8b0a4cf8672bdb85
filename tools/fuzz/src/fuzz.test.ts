import * as fs from 'node:fs';
import * as os from 'node:os';
import { resolveConfig } from '@sublora/pinn';
import { CORPUS } from './corpus';
import { internalNames } from './internal-names';
import { CLI_ENTRY, runAll, type CaseRun } from './run-case';

/** Two at a time on 2 cores (the suite stays under a minute there, loaded), up to 4 on more. */
const CONCURRENCY = Math.min(4, Math.max(2, os.availableParallelism()));

/** `sublora-pinn` configuration keys (`network.width` -> `network`, `width`): user vocabulary. */
function configWords(value: unknown, into = new Set<string>()): Set<string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) {
      into.add(k);
      configWords(v, into);
    }
  }
  return into;
}
const ALLOWED = configWords(resolveConfig('smoke', {}));

let runs: CaseRun[] = [];

beforeAll(async () => {
  for (const [cli, entry] of Object.entries(CLI_ENTRY)) {
    if (!fs.existsSync(entry)) {
      throw new Error(`${cli} is not built (${entry}); run npm run build first`);
    }
  }
  runs = await runAll(CORPUS, CONCURRENCY);
}, 120_000);

describe('the bad-input corpus', () => {
  it('holds at least 80 cases with distinct ids, covering both CLIs', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(80);
    expect(new Set(CORPUS.map((c) => c.id)).size).toBe(CORPUS.length);
    expect(CORPUS.filter((c) => c.cli === 'sublora-pinn').length).toBeGreaterThanOrEqual(15);
  });

  it.each(CORPUS.map((c, k) => [c.cli, c.id, k] as const))('%s: %s', (_cli, _id, k) => {
    const c = CORPUS[k];
    const run = runs[k];
    expect(run.hung).toBe(false);
    const lines = run.stderr.split('\n').filter((l) => l !== '');
    expect({ code: run.code, stdout: run.stdout, lines: lines.length }).toEqual({
      code: c.code,
      stdout: '',
      lines: 1,
    });
    expect(lines[0]).toMatch(c.message);
    expect(internalNames(run.stderr, c.args, ALLOWED)).toEqual([]);
    expect(run.after).toEqual(run.before);
  });
});
