/**
 * The dependency rule is enforced by `@nx/enforce-module-boundaries` in
 * eslint.config.mjs. These tests lint fixture files with ESLint's Node API,
 * under the repository's own config, as if they lived in a pure package:
 * importing a backend must fail, importing a pure package must pass.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lintAs, refreshProjectGraph } from './lint-as';

const root = path.resolve(__dirname, '..', '..', '..');
const fixture = (name: string) =>
  fs.readFileSync(path.join(__dirname, '..', 'fixtures', name), 'utf8');

beforeAll(() => refreshProjectGraph(root), 120_000);

test('a pure package importing a backend fails lint, naming the rule', () => {
  const messages = lintAs(root, fixture('pure-imports-backend.ts'), 'packages/nn/src/probe.ts');
  expect(messages).toEqual([
    expect.objectContaining({
      ruleId: '@nx/enforce-module-boundaries',
      severity: 2,
      message: expect.stringContaining(
        'A project tagged with "scope:pure" can only depend on libs tagged with "scope:pure"',
      ),
    }),
  ]);
}, 120_000);

test('a pure package importing a pure package passes lint', () => {
  expect(lintAs(root, fixture('pure-imports-pure.ts'), 'packages/nn/src/probe.ts')).toEqual([]);
}, 120_000);

test('a backend, an app and a tool may import a backend', () => {
  for (const at of [
    'packages/backends/src/probe.ts',
    'apps/pinn/src/probe.ts',
    'tools/bench/src/probe.ts',
  ]) {
    expect(lintAs(root, fixture('pure-imports-backend.ts'), at)).toEqual([]);
  }
}, 120_000);
