/**
 * Run contexts for tests: the `smoke` preset on the reference backend, each
 * in a fresh temporary run directory (or a given one, to resume in it).
 * Call {@link removeSmokeContexts} in `afterAll`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { referenceBackend } from '@sublora/tensor';
import { resolveConfig } from '../config';
import { openMetrics } from '../metrics';
import { emptyResults } from '../results';
import type { RunContext } from './context';

const dirs: string[] = [];

/** A smoke-preset context with `overrides`; `shouldStop` interrupts, `dir` reuses a run directory. */
export function smokeContext(
  overrides: Record<string, unknown> = {},
  shouldStop?: () => boolean,
  dir?: string,
): RunContext {
  const outDir = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'pinn-run-'));
  dirs.push(outDir);
  return {
    config: resolveConfig('smoke', overrides),
    outDir,
    backend: referenceBackend,
    metrics: openMetrics(outDir),
    results: emptyResults(),
    log: () => undefined,
    quiet: true,
    ...(shouldStop ? { shouldStop } : {}),
  };
}

/** Deletes every run directory {@link smokeContext} made or was given. */
export function removeSmokeContexts(): void {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}
