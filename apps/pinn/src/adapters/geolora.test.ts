/**
 * `adapter = geolora` end to end on the smoke preset: configuration checks,
 * checkpoint keys, fine-tuning with ranks and truncated mass logged on every
 * PDE, SubLoRA as the truncation rule, resume, and rank determination
 * through the padded SVD view (full budget = unpruned).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { evaluateToArrays } from '@sublora/autodiff';
import { orthogonalityError, matrix } from '@sublora/linalg';
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
import { geoloraDiagnostics, geoloraRanks, geoloraSettings } from './geolora';
import { removeSmokeContexts, smokeContext } from '../stages/smoke-context.test-utils';

const makeContext = (
  overrides: Record<string, unknown> = {},
  shouldStop?: () => boolean,
  dir?: string,
): RunContext => smokeContext({ adapter: 'geolora', ...overrides }, shouldStop, dir);
afterAll(removeSmokeContexts);

const finetuneEpochs = (ctx: RunContext) =>
  readMetrics(ctx.metrics.file).filter((m) => m.kind === 'epoch' && m.phase === 'finetune');

describe('geolora configuration', () => {
  it('defaults to rmax = network.rank, start rank ceil(rmax / 2), the paper rule at tau 0.15', () => {
    const c = resolveConfig('small', { adapter: 'geolora' });
    expect(c.geolora).toEqual({
      rmax: 8,
      rank: 4,
      truncation: 'tau',
      tau: 0.15,
      rule: 'paper',
      budget: 8,
      optimizer: 'plain',
      augmentEvery: 1,
    });
    expect(totalRank(c)).toBe(16);
    expect(alternatingMethods(c)).toEqual([]);
  });

  it.each([
    ['geolora.tau', 0, /^config\.geolora\.tau: must be a number in \(0, 1\)/],
    ['geolora.tau', 1, /^config\.geolora\.tau: must be a number in \(0, 1\)/],
    ['geolora.rmax', 0, /^config\.geolora\.rmax: must be an integer in \[1, /],
    ['geolora.rmax', 7, /^config\.geolora\.rmax: 7 exceeds layer 1's 6 x 6; use at most 6/],
    ['geolora.rank', 4, /^config\.geolora\.rank: 4 is not an integer in \[1, rmax = 3\]/],
    ['geolora.truncation', 'budget-foo', /^config\.geolora\.truncation: must be one of tau, /],
    ['geolora.rule', 'code', /^config\.geolora\.rule: must be one of paper, authors/],
    ['geolora.optimizer', 'sgd', /^config\.geolora\.optimizer: must be one of plain, adam/],
  ])('rejects %s = %p in one line naming the key', (key, value, message) => {
    let error: Error | undefined;
    try {
      resolveConfig('smoke', { adapter: 'geolora', [key]: value });
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toMatch(message);
    expect(error?.message).not.toContain('\n');
  });

  it('refuses a budget above the total rmax only in budget modes', () => {
    const over = { adapter: 'geolora', 'geolora.budget': 7 };
    expect(() => resolveConfig('smoke', over)).not.toThrow();
    expect(() =>
      resolveConfig('smoke', { ...over, 'geolora.truncation': 'budget-magnitude' }),
    ).toThrow(
      /^config\.geolora\.budget: 7 exceeds the total rmax 6 \(2 layers x 3\); use at most 6/,
    );
  });

  it('makes geolora.* checkpoint keys of GeoLoRA runs only', () => {
    const geo = resolveConfig('smoke', { adapter: 'geolora' });
    const lora = resolveConfig('smoke');
    expect(checkpointKeysOf('finetune', geo)).toContain('geolora.tau');
    expect(checkpointKeysOf('pretrain', geo)).not.toContain('geolora.tau');
    expect(checkpointKeysOf('finetune', lora)).not.toContain('geolora.tau');
    const other = resolveConfig('smoke', { adapter: 'geolora', 'geolora.tau': 0.3 });
    expect(staleKey(other, geo, 'finetune')?.key).toBe('geolora.tau');
  });
});

describe('geolora fine-tuning', () => {
  it.each(['elliptic', 'allen-cahn', 'hyperbolic'] as const)(
    'fine-tunes %s with orthonormal bases and logs ranks and truncated mass per layer',
    async (pde) => {
      const ctx = makeContext({ 'epochs.pretrain': 20, 'epochs.finetune': 10 });
      const model = await ensureFinetuned(ctx, pde, 0, [1, 1]);
      const epochs = finetuneEpochs(ctx);
      expect(epochs).toHaveLength(10);
      for (const e of epochs) {
        const ranks = e.rank as number[];
        expect(ranks).toHaveLength(2);
        for (const r of ranks) expect(r >= 1 && r <= 3).toBe(true);
        for (const m of e.truncatedMass as number[]) expect(m >= 0 && m < 1).toBe(true);
        (e.stableRank as number[]).forEach((s, i) =>
          expect(s === 0 || (s >= 1 - 1e-9 && s <= ranks[i] + 1e-9)).toBe(true),
        );
      }
      const settings = geoloraSettings(ctx.config);
      const ranks = geoloraRanks(settings, model.params);
      settings.layers.forEach((l, i) => {
        for (const name of [`geolora.U${l}`, `geolora.V${l}`]) {
          const p = model.params[name];
          const lead = matrix(
            p.shape[0],
            ranks[i],
            Array.from({ length: p.shape[0] * ranks[i] }, (_, k) => {
              const row = Math.floor(k / ranks[i]);
              return p.data[row * settings.rmax + (k % ranks[i])];
            }),
          );
          expect(orthogonalityError(lead)).toBeLessThan(1e-12);
        }
      });
      const result = ctx.results.finetune[`${pde}/1_1/seed0`];
      expect(result.loss).toBeLessThan(epochs[0].loss as number);
    },
  );

  it('with budget-sublora-g keeps exactly the budget at every augmentation', async () => {
    const ctx = makeContext({
      'epochs.pretrain': 20,
      'epochs.finetune': 8,
      'geolora.truncation': 'budget-sublora-g',
      'geolora.budget': 3,
    });
    await ensureFinetuned(ctx, 'elliptic', 0, [1, 1]);
    const epochs = finetuneEpochs(ctx);
    // records hold the state the loss was measured at: from epoch 1 on, after a truncation
    for (const e of epochs.slice(1))
      expect((e.rank as number[]).reduce((a, b) => a + b, 0)).toBe(3);
  });

  it('an interrupted then resumed fine-tuning (Adam on S) ends bit-identical', async () => {
    const overrides = {
      'epochs.pretrain': 20,
      'epochs.finetune': 30,
      checkpointEvery: 5,
      'geolora.optimizer': 'adam',
      'geolora.augmentEvery': 4,
      'geolora.rule': 'authors',
    };
    const whole = makeContext(overrides);
    await ensureFinetuned(whole, 'elliptic', 0, [1, 1]);
    let epochs = 0;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pinn-geolora-'));
    // pretraining's 20 epochs, then 13 of fine-tuning: a checkpoint between augmentations
    const first = makeContext(overrides, () => ++epochs > 33, dir);
    await expect(ensureFinetuned(first, 'elliptic', 0, [1, 1])).rejects.toBeInstanceOf(Interrupted);
    await ensureFinetuned(makeContext(overrides, undefined, dir), 'elliptic', 0, [1, 1]);
    const load = (outDir: string) =>
      loadCheckpoint(path.join(outDir, 'checkpoints', 'elliptic'), 'finetune-1_1-seed0');
    const a = load(whole.outDir);
    const b = load(dir);
    expect(b.meta.step).toBe(30);
    expect(Object.keys(a.tensors)).toEqual(
      expect.arrayContaining(['param/geolora.U1', 'param/geolora.S2', 'adam.m/geolora.S1']),
    );
    for (const name of Object.keys(a.tensors))
      expect(Array.from(b.tensors[name].data)).toEqual(Array.from(a.tensors[name].data));
    // the metrics records a checkpoint carries hold wall-clock times
    const untimed = (state: unknown): unknown =>
      JSON.parse(JSON.stringify(state), (k, v: unknown) => (k === 'time' ? undefined : v));
    expect(untimed(b.meta.state)).toEqual(untimed(a.meta.state));
  });
});

describe('rank determination on GeoLoRA', () => {
  const ctx = makeContext({ 'epochs.pretrain': 40, 'epochs.finetune': 20, 'geolora.tau': 0.01 });
  const lambda = [1, 1] as const;

  it('the padded LoRA-SVD view predicts what the GeoLoRA network predicts', async () => {
    const model = await ensureFinetuned(ctx, 'elliptic', 0, lambda);
    const svd = model.adapter.svd(ctx.config, model.net);
    const views = svd.svdView(model.params);
    for (const v of views) expect(v.sigma).toHaveLength(3);
    const base = Object.fromEntries(
      Object.entries(model.params).filter(([k]) => !model.adapterNames.includes(k)),
    );
    const view = loraFromViews(model.net.shape, base, views);
    const grid = evaluationGrid(PDES.elliptic, 9, 1);
    const predict = async (net: typeof model.net, params: typeof model.params) => {
      const g = buildPredictor(net, params, grid.count, grid.dim);
      const [u] = await evaluateToArrays(g, referenceBackend, [
        ...Object.values(params).map((p) => p.data),
        grid.data,
      ]);
      return Array.from(u);
    };
    // the logged stable rank is that of the view's (the update's) singular values
    const stable = geoloraDiagnostics(geoloraSettings(ctx.config), model.params).stableRank;
    views.forEach((v, i) => {
      const s = Array.from(v.sigma).sort((a, b) => b - a);
      const expected = s[0] === 0 ? 0 : s.reduce((a, x) => a + x * x, 0) / (s[0] * s[0]);
      expect(Math.abs(stable[i] - expected)).toBeLessThan(1e-12 * Math.max(1, expected));
    });
    const geoU = await predict(model.net, model.params);
    const viewU = await predict(view.net, view.params);
    const scale = Math.max(...geoU.map(Math.abs));
    viewU.forEach((u, i) => expect(Math.abs(u - geoU[i])).toBeLessThan(1e-12 * scale));
  });

  it('keeps the budget per method, and the full budget equals the unpruned error', async () => {
    const det = await runDetermination(ctx, 'elliptic', 0, lambda);
    const r = totalRank(ctx.config);
    for (const row of det.rows) {
      expect(row.kept).toHaveLength(row.budget);
      if (row.budget === r) {
        expect(Math.abs(row.measuredIncrease)).toBeLessThan(1e-12);
        expect(row.relErrorAfter).toBeCloseTo(det.relErrorFinetuned, 10);
      }
    }
    expect(det.rows.some((row) => row.budget === r)).toBe(true);
  });
});
