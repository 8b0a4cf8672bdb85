/**
 * Same-process A/B of two builds: gradient and Hessian of the benchmark's
 * losses built and evaluated by another checkout's `@sublora/autodiff` and
 * `@sublora/tensor` (the baseline) and by this one, timed in alternating
 * rounds so both see the same load. On a shared machine this is the way to
 * measure a change: separate runs differ by more than most changes.
 *
 *   node dist/autodiff/compare.js --baseline DIR [--widths 64,256] [--rounds N] [--out FILE]
 *
 * DIR is a checkout whose packages are built (`npm ci` builds them), e.g.
 * `git worktree add /tmp/base <commit> && (cd /tmp/base && npm ci)`. The loss
 * graphs are built here and handed to both (the IR is plain data).
 */
import { resolve } from 'node:path';
import * as current from '@sublora/autodiff';
import * as currentTensor from '@sublora/tensor';
import type { Graph } from '@sublora/autodiff';
import { parseFlags, resultPath, timeAlternating, writeResults, type Timing } from '../harness';
import { loadBaselinePackages } from './baseline';
import { defaultRounds, pinnInputs, pinnSizesOfWidths } from './pinn-loss';
import { PINN_LOSSES } from './pinn-loss-nn';

/** The two packages one build provides. */
interface Build {
  readonly autodiff: typeof current;
  readonly tensor: typeof currentTensor;
}

/** The baseline checkout's built packages (its own copies, not this checkout's). */
function loadBaseline(dir: string): Build {
  const [autodiff, tensor] = loadBaselinePackages(dir, ['@sublora/autodiff', '@sublora/tensor']);
  return { autodiff: autodiff as typeof current, tensor: tensor as typeof currentTensor };
}

async function main(): Promise<void> {
  const flags = parseFlags({
    switches: [],
    values: ['--baseline', '--widths'],
    positiveInts: ['--rounds'],
  });
  const path = resultPath('autodiff-compare', flags);
  const dir = flags.values.get('--baseline');
  if (!dir) throw new Error('--baseline DIR is required: a checkout with built packages');
  const baseline = loadBaseline(dir);
  const sizes = pinnSizesOfWidths(flags.values.get('--widths'), [64, 256]);
  const roundsFlag = flags.positiveInts.get('--rounds');
  const rows = [];
  for (const size of sizes) {
    const r = 2 * size.rank;
    const rounds = roundsFlag ?? defaultRounds(size);
    const inputs = pinnInputs(size);
    for (const { name: loss, build } of PINN_LOSSES) {
      const f = build(size);
      const cases = (
        [
          ['baseline', baseline],
          ['current', { autodiff: current, tensor: currentTensor }],
        ] as const
      ).flatMap(([name, b]) => [
        { name, b, graph: b.autodiff.grad(f, { wrt: 0 }) as Graph },
        { name, b, graph: b.autodiff.hessian(f, { wrt: 0 }) as Graph },
      ]);
      const run = (c: (typeof cases)[number]) =>
        c.b.autodiff.evaluateToArrays(c.graph, c.b.tensor.referenceBackend, inputs);
      const [hBase, hCur] = [await run(cases[1]), await run(cases[3])];
      let diff = 0,
        scale = 0;
      hBase[0].forEach((v, i) => {
        diff = Math.max(diff, Math.abs(v - hCur[0][i]));
        scale = Math.max(scale, Math.abs(v));
      });
      const times = await timeAlternating(
        cases.map((c) => () => run(c)),
        rounds,
      );
      const side = (g: Timing, h: Timing) => ({
        gradientMs: { min: g.minMs, median: g.medianMs },
        hessianMs: { min: h.minMs, median: h.medianMs },
        ratioOfMinima: h.minMs / g.minMs,
        ratioOfMedians: h.medianMs / g.medianMs,
      });
      const row = {
        loss,
        ...size,
        r,
        rounds,
        hessianMaxDiffOverMaxEntry: diff / scale,
        baseline: side(times[0], times[1]),
        current: side(times[2], times[3]),
      };
      rows.push(row);
      console.log(
        `${loss} w=${size.width} r=${r}: Hessian ${row.baseline.hessianMs.min.toFixed(0)} -> ${row.current.hessianMs.min.toFixed(0)} ms (fastest of ${rounds}), ` +
          `ratio ${row.baseline.ratioOfMinima.toFixed(2)} -> ${row.current.ratioOfMinima.toFixed(2)} (r/4 = ${r / 4}); ` +
          `max |H_current - H_baseline| / max |H| = ${row.hessianMaxDiffOverMaxEntry.toExponential(1)}`,
      );
    }
  }
  writeResults(path, 'autodiff-compare', { baseline: resolve(dir), rows });
  console.log(`wrote ${path}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
