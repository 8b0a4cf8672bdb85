/**
 * `npm run lint` ends with `madge --circular` over every project's sources.
 * This checks that the check can fail (madge finds the deliberate cycle of
 * fixtures/cycle) and that the tree passes it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import madge from 'madge';

const fixtures = path.join(__dirname, '..', 'fixtures');

test('madge reports a deliberate import cycle', async () => {
  const result = await madge(path.join(fixtures, 'cycle'), { fileExtensions: ['ts'] });
  expect(result.circular()).toEqual([['a.ts', 'b.ts']]);
}, 60_000);

test('the repository has no import cycle (what npm run lint checks)', async () => {
  const root = path.join(__dirname, '..', '..', '..');
  const dirs = ['packages', 'apps', 'tools'].flatMap((group) =>
    fs
      .readdirSync(path.join(root, group))
      .map((name) => path.join(root, group, name, 'src'))
      .filter((dir) => fs.existsSync(dir)),
  );
  const result = await madge(dirs, {
    fileExtensions: ['ts'],
    tsConfig: path.join(root, 'tsconfig.base.json'),
  });
  expect(result.circular()).toEqual([]);
}, 60_000);
