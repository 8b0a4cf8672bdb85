/**
 * Packages of another checkout (the baseline of a same-process or
 * same-session A/B), loaded from its own `node_modules`, not this one's.
 */
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

/**
 * `require` of `names` as resolved from checkout `dir`; throws a one-line
 * error naming `--baseline` and the fix when they do not load.
 */
export function loadBaselinePackages(dir: string, names: readonly string[]): unknown[] {
  const req = createRequire(join(resolve(dir), 'package.json'));
  try {
    return names.map((name) => req(name) as unknown);
  } catch (e) {
    throw new Error(
      `--baseline ${dir}: cannot load its ${names.join(' and ')} (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); run npm ci in that checkout`,
      { cause: e },
    );
  }
}
