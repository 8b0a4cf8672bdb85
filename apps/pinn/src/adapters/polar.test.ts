/**
 * `adapter = polar` end to end on the smoke preset: configuration checks,
 * checkpoint keys, fine-tuning with its diagnostics on every PDE, resume,
 * and rank determination through the SVD view (full budget = unpruned).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { evaluateToArrays } from '@sublora/autodiff';
import { SIGMA, applyKeepMask, cloneParams } from '@sublora/nn';
import { referenceBackend } from '@sublora/tensor';
import { checkpointKeysOf, staleKey } from '../checkpoint-keys';
import { loadCheckpoint } from '../checkpoint';
import { resolveConfig, totalRank } from '../config';
import { evaluationGrid } from '../geometry';
import { readMetrics } from '../metrics';
import { buildPredictor } from '../model';
import { PDES } from '../pdes';
import {
  Interrupted,
  type RunContext,
  alternatingMethods,
  ensureFinetuned,
  runDetermination,
} from '../stages';
import { loraFromViews } from '../stages/svd-view';
import { removeSmokeContexts, smokeContext } from '../stages/smoke-context.test-utils';

const makeContext = (
  overrides: Record<string, unknown> = {},
  shouldStop?: () => boolean,
  dir?: string,
): RunContext => smokeContext({ adapter: 'polar', ...overrides }, shouldStop, dir);
afterAll(removeSmokeContexts);

describe('polar configuration', () => {
  it('defaults to the preset rank with alpha = rank, lambda 1, landing, full Theta', () => {
    const c = resolveConfig('small', { adapter: 'polar' });
    expect(c.polar).toEqual({ rank: 8, lambda: 1, alpha: 8, step: 'landing', theta: 'full' });
    const two = { adapter: 'polar', 'polar.rank': 2, 'determination.budgets': [2, 4] };
    expect(totalRank(resolveConfig('smoke', two))).toBe(4);
    expect(alternatingMethods(c)).toEqual([]);
  });

  it.each([
    ['polar.rank', 7, /^config\.polar\.rank: 7 exceeds the 6 x 6 adapted layers/],
    ['polar.rank', 0, /^config\.polar\.rank: must be an integer in \[1, /],
    ['polar.lambda', -1, /^config\.polar\.lambda: must be a finite number >= 0/],
    ['polar.alpha', 0, /^config\.polar\.alpha: must be a finite number > 0/],
    ['polar.step', 'cayley', /^config\.polar\.step: must be one of landing, retraction/],
    ['polar.theta', 'dense', /^config\.polar\.theta: must be one of full, diagonal/],
  ])('rejects %s = %p in one line naming the key', (key, value, message) => {
    let error: Error | undefined;
    try {
      resolveConfig('smoke', { adapter: 'polar', [key]: value });
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toMatch(message);
    expect(error?.message).not.toContain('\n');
  });

  it('makes polar.* checkpoint keys of PoLAR runs only', () => {
    const polar = resolveConfig('smoke', { adapter: 'polar' });
    const lora = resolveConfig('smoke');
    expect(checkpointKeysOf('finetune', polar)).toContain('polar.lambda');
    expect(checkpointKeysOf('pretrain', polar)).not.toContain('polar.lambda');
    expect(checkpointKeysOf('finetune', lora)).not.toContain('polar.lambda');
    const other = resolveConfig('smoke', { adapter: 'polar', 'polar.lambda': 2 });
    expect(staleKey(other, polar, 'finetune')?.key).toBe('polar.lambda');
    expect(staleKey(other, polar, 'pretrain')).toBeUndefined();
    expect(staleKey({ ...lora, polar: other.polar }, lora, 'finetune')).toBeUndefined();
  });
});

describe('polar fine-tuning', () => {
  it.each(['elliptic', 'allen-cahn', 'hyperbolic'] as const)(
    'fine-tunes %s and logs stable rank and orthogonality per layer',
    async (pde) => {
      const ctx = makeContext({ 'epochs.pretrain': 20, 'epochs.finetune': 10 });
      const model = await ensureFinetuned(ctx, pde, 0, [1, 1]);
      expect(model.adapterNames).toEqual([
        'polar.X1',
        'polar.Y1',
        'polar.Theta1',
        'polar.X2',
        'polar.Y2',
        'polar.Theta2',
      ]);
      const epochs = readMetrics(ctx.metrics.file).filter(
        (m) => m.kind === 'epoch' && m.phase === 'finetune',
      );
      expect(epochs.length).toBeGreaterThan(0);
      for (const e of epochs) {
        const stable = e.stableRank as number[];
        const orth = e.orthogonality as number[];
        expect(stable).toHaveLength(2);
        expect(orth).toHaveLength(2);
        // 0 for the zero update of epoch 0 (records hold the parameters the loss was measured at)
        for (const s of stable) expect(s === 0 || (s >= 1 - 1e-9 && s <= 3 + 1e-9)).toBe(true);
        for (const o of orth) expect(o).toBeLessThan(0.5);
      }
      for (const s of epochs[epochs.length - 1].stableRank as number[])
        expect(s).toBeGreaterThan(1);
      expect(Number.isFinite(ctx.results.finetune[`${pde}/1_1/seed0`].relErrorFinetuned)).toBe(
        true,
      );
    },
  );

  it('retraction keeps X and Y orthonormal to round-off', async () => {
    const ctx = makeContext({
      'epochs.pretrain': 20,
      'epochs.finetune': 10,
      'polar.step': 'retraction',
      'polar.theta': 'diagonal',
    });
    await ensureFinetuned(ctx, 'elliptic', 0, [1, 1]);
    const epochs = readMetrics(ctx.metrics.file).filter(
      (m) => m.kind === 'epoch' && m.phase === 'finetune',
    );
    for (const e of epochs)
      for (const o of e.orthogonality as number[]) expect(o).toBeLessThan(1e-12);
  });

  it('an interrupted then resumed fine-tuning ends bit-identical to an uninterrupted one', async () => {
    const overrides = { 'epochs.pretrain': 20, 'epochs.finetune': 30, checkpointEvery: 5 };
    const whole = makeContext(overrides);
    await ensureFinetuned(whole, 'elliptic', 0, [1, 1]);
    let epochs = 0;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pinn-polar-'));
    // pretraining's 20 epochs, then 12 of fine-tuning
    const first = makeContext(overrides, () => ++epochs > 32, dir);
    await expect(ensureFinetuned(first, 'elliptic', 0, [1, 1])).rejects.toBeInstanceOf(Interrupted);
    await ensureFinetuned(makeContext(overrides, undefined, dir), 'elliptic', 0, [1, 1]);
    const load = (outDir: string) =>
      loadCheckpoint(path.join(outDir, 'checkpoints', 'elliptic'), 'finetune-1_1-seed0');
    const a = load(whole.outDir);
    const b = load(dir);
    expect(b.meta.step).toBe(30);
    expect(Object.keys(a.tensors)).toContain('adam.m/polar.X1');
    for (const name of Object.keys(a.tensors))
      expect(Array.from(b.tensors[name].data)).toEqual(Array.from(a.tensors[name].data));
  });
});

describe('rank determination on PoLAR', () => {
  const ctx = makeContext({ 'epochs.pretrain': 40, 'epochs.finetune': 20 });
  const lambda = [1, 1] as const;

  it('the LoRA-SVD view predicts what the PoLAR network predicts, and pruning through either agrees', async () => {
    const model = await ensureFinetuned(ctx, 'elliptic', 0, lambda);
    const svd = model.adapter.svd(ctx.config, model.net);
    const base = Object.fromEntries(
      Object.entries(model.params).filter(([k]) => !model.adapterNames.includes(k)),
    );
    const view = loraFromViews(model.net.shape, base, svd.svdView(model.params));
    const grid = evaluationGrid(PDES.elliptic, 9, 1);
    const predict = async (net: typeof model.net, params: typeof model.params) => {
      const g = buildPredictor(net, params, grid.count, grid.dim);
      const [u] = await evaluateToArrays(g, referenceBackend, [
        ...Object.values(params).map((p) => p.data),
        grid.data,
      ]);
      return Array.from(u);
    };
    const polarU = await predict(model.net, model.params);
    const viewU = await predict(view.net, view.params);
    const scale = Math.max(...polarU.map(Math.abs));
    viewU.forEach((u, i) => expect(Math.abs(u - polarU[i])).toBeLessThan(1e-12 * scale));

    const keep = Uint8Array.from({ length: totalRank(ctx.config) }, (_, i) =>
      i % 3 === 1 ? 0 : 1,
    );
    const viaPolar = await predict(model.net, svd.prune(model.params, keep));
    const masked = cloneParams(view.params);
    applyKeepMask(masked, keep);
    const viaView = await predict(view.net, masked);
    viaView.forEach((u, i) => expect(Math.abs(u - viaPolar[i])).toBeLessThan(1e-12 * scale));
    // the pruned singular values were not negligible: pruning changed the function
    expect(Math.max(...viaPolar.map((u, i) => Math.abs(u - polarU[i])))).toBeGreaterThan(1e-9);
    expect(view.params[SIGMA].data.length).toBe(totalRank(ctx.config));
  });

  it('keeps the budget per method, and the full budget equals the unpruned error', async () => {
    const det = await runDetermination(ctx, 'elliptic', 0, lambda);
    const r = totalRank(ctx.config);
    expect(det.rows).toHaveLength(
      ctx.config.determination.methods.length * ctx.config.determination.budgets.length,
    );
    for (const row of det.rows) {
      expect(row.kept).toHaveLength(row.budget);
      expect(row.perLayer.reduce((a, b) => a + b, 0)).toBe(row.budget);
      expect(Number.isFinite(row.predictedIncrease)).toBe(true);
      if (row.budget === r) {
        expect(Math.abs(row.measuredIncrease)).toBeLessThan(1e-12);
        expect(row.relErrorAfter).toBeCloseTo(det.relErrorFinetuned, 10);
      }
    }
    expect(det.rows.some((row) => row.budget === r)).toBe(true);
  });
});
