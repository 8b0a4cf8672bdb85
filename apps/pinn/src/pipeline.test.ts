import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SIGMA } from '@sublora/nn';
import { loadCheckpoint } from './checkpoint';
import { totalRank } from './config';
import { readMetrics } from './metrics';
import {
  Interrupted,
  alternatingMethods,
  cubicBudget,
  ensureFinetuned,
  ensurePretrained,
  runAlternating,
  runDetermination,
} from './stages';
import { readResults } from './results';
import { removeSmokeContexts, smokeContext } from './stages/smoke-context.test-utils';

const makeContext = smokeContext;
afterAll(removeSmokeContexts);

describe('smoke pipeline', () => {
  const ctx = makeContext({ 'epochs.pretrain': 80 });
  const lambda = [1, 1] as const;

  it('pretraining decreases the loss', async () => {
    await ensurePretrained(ctx, 'elliptic', 0);
    const epochs = readMetrics(ctx.metrics.file).filter(
      (m) => m.kind === 'epoch' && m.phase === 'pretrain',
    );
    const first = epochs[0].loss as number;
    const final = ctx.results.pretrain['elliptic/seed0'].loss;
    expect(final).toBeLessThan(0.5 * first);
    expect(Object.keys(epochs[0].terms as object)).toEqual(['interior', 'boundary']);
  });

  it('determination keeps exactly the budget per method, split across layers, and reports predicted and measured changes', async () => {
    const det = await runDetermination(ctx, 'elliptic', 0, lambda);
    const r = totalRank(ctx.config);
    expect(det.rows).toHaveLength(
      ctx.config.determination.methods.length * ctx.config.determination.budgets.length,
    );
    for (const row of det.rows) {
      expect(row.kept).toHaveLength(row.budget);
      expect(row.perLayer.reduce((a, b) => a + b, 0)).toBe(row.budget);
      expect(Number.isFinite(row.predictedIncrease) && Number.isFinite(row.measuredIncrease)).toBe(
        true,
      );
      if (row.budget === r) {
        // Keeping everything changes nothing.
        expect(row.measuredIncrease).toBe(0);
        expect(row.relErrorAfter).toBeCloseTo(det.relErrorFinetuned, 12);
      }
    }
    // The exact method maximises the second-order model: no method predicts a smaller loss change.
    for (const budget of new Set(det.rows.map((x) => x.budget))) {
      const atBudget = det.rows.filter((x) => x.budget === budget);
      const exact = atBudget.find((x) => x.method === 'exact')!;
      for (const row of atBudget)
        expect(exact.predictedIncrease).toBeLessThanOrEqual(row.predictedIncrease + 1e-12);
    }
    expect(readResults(ctx.outDir).determination['elliptic/1_1/seed0'].rows).toHaveLength(
      det.rows.length,
    );
  });

  it('alternating training ends within the budget for every method, including the AdaLoRA cubic baseline', async () => {
    const b = ctx.config.alternating.budget;
    for (const method of alternatingMethods(ctx.config)) {
      const res = await runAlternating(ctx, 'elliptic', 0, lambda, method);
      expect(res.perLayer.reduce((a, c) => a + c, 0)).toBe(b);
      expect(res.trajectory.filter((p) => p.stage === 'pruned')).toHaveLength(
        ctx.config.alternating.rounds,
      );
      const saved = loadCheckpoint(
        path.join(ctx.outDir, 'checkpoints', 'elliptic'),
        `alternate-${method}-1_1-seed0-round`,
      );
      const nonzero = Array.from(saved.tensors[`param/${SIGMA}`].data).filter(
        (s) => s !== 0,
      ).length;
      expect(nonzero).toBeLessThanOrEqual(b);
      expect(Number.isFinite(res.finalRelError)).toBe(true);
    }
  });

  it('schedules the AdaLoRA baseline budget cubically from r down to b', () => {
    expect([1, 2, 3, 4, 5].map((k) => cubicBudget(100, 40, k, 5))).toEqual([71, 53, 44, 40, 40]);
    expect(cubicBudget(16, 6, 3, 3)).toBe(6);
  });
});

describe('resume', () => {
  it('an interrupted then resumed phase ends bit-identical to an uninterrupted one', async () => {
    const overrides = { 'epochs.pretrain': 40, checkpointEvery: 7, pde: 'allen-cahn' };
    const whole = makeContext(overrides);
    await ensurePretrained(whole, 'allen-cahn', 0);

    let epochsSeen = 0;
    const interruptedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pinn-run-'));
    const first = makeContext(overrides, () => ++epochsSeen > 23, interruptedDir);
    await expect(ensurePretrained(first, 'allen-cahn', 0)).rejects.toBeInstanceOf(Interrupted);
    const partial = loadCheckpoint(
      path.join(interruptedDir, 'checkpoints', 'allen-cahn'),
      'pretrain-seed0',
    );
    expect(partial.meta.step).toBe(23);

    const resumed = makeContext(overrides, undefined, interruptedDir);
    await ensurePretrained(resumed, 'allen-cahn', 0);
    const a = loadCheckpoint(
      path.join(whole.outDir, 'checkpoints', 'allen-cahn'),
      'pretrain-seed0',
    );
    const b = loadCheckpoint(
      path.join(interruptedDir, 'checkpoints', 'allen-cahn'),
      'pretrain-seed0',
    );
    expect(b.meta.step).toBe(40);
    for (const name of Object.keys(a.tensors))
      expect(Array.from(b.tensors[name].data)).toEqual(Array.from(a.tensors[name].data));
    expect(resumed.results.pretrain['allen-cahn/seed0'].loss).toBe(
      whole.results.pretrain['allen-cahn/seed0'].loss,
    );
  });
});

describe('non-finite losses', () => {
  it('stop with a message naming the term and the first graph node that went non-finite', async () => {
    const ctx = makeContext({ 'optimizer.pretrain.lr': 1e300, 'epochs.pretrain': 5 });
    await expect(ensurePretrained(ctx, 'elliptic', 0)).rejects.toThrow(
      /^pretrain: loss term '(interior|boundary)' is (NaN|Infinity) at epoch \d+; lower the learning rate.* \(first non-finite value: node %\d+ = \w+\(.*\) is (NaN|-?Infinity) at flat index \d+ of float64\[[\d,]*\], from finite operands\)$/,
    );
  });

  it('come only from the phase whose own schedule diverges (one schedule per phase)', async () => {
    const ctx = makeContext({
      'optimizer.finetune.schedule': 'step',
      'optimizer.finetune.stepEvery': 1,
      'optimizer.finetune.stepGamma': 1e150,
      'epochs.pretrain': 5,
      'epochs.finetune': 5,
    });
    await expect(ensurePretrained(ctx, 'elliptic', 0)).resolves.toBeDefined();
    await expect(ensureFinetuned(ctx, 'elliptic', 0, [1, 1])).rejects.toThrow(
      /^finetune: loss term/,
    );
  });
});
