import { evaluateToArrays, grad } from '@sublora/autodiff';
import {
  type Matrix,
  frobeniusNorm,
  identity,
  matmul,
  matrix,
  orthogonalityError,
  qr,
} from '@sublora/linalg';
import type { SvdView } from '@sublora/nn';
import { createRandom, referenceBackend } from '@sublora/tensor';
import fc from 'fast-check';
import { asGrads, denseUpdate, fitGraph, fitLossAndGrads } from './fit.test-utils';
import {
  type CandidateCurvature,
  type GeoloraConfig,
  type GeoloraState,
  GeoloraStepError,
  createGeoloraState,
  geoloraNames,
  geoloraStep,
  geoloraStepWithCurvature,
  geoloraSvdAdapter,
  tauRank,
  truncatedMass,
} from './index';
import { leadingBlock } from './layer';

/** The paper's toy target: 20 x 20, entries (0, 1) = 15 and (1, 0) = -2, singular values 15 and 2. */
function toyTarget(): Matrix {
  const t = matrix(20, 20);
  t.data[1] = 15;
  t.data[20] = -2;
  return t;
}

/** The paper's toy start: rank 4, `U = V = [I; 0]`, `S = diag(10, 1e-2, 1e-4, 1e-6)`. */
function toyState(config: Partial<GeoloraConfig>): GeoloraState {
  const s = matrix(4, 4);
  [10, 1e-2, 1e-4, 1e-6].forEach((x, i) => (s.data[i * 4 + i] = x));
  return createGeoloraState({ layers: [0], rmax: 8, ...config }, [
    { u: identity(20, 4), s, v: identity(20, 4) },
  ]);
}

function run(state: GeoloraState, targets: readonly Matrix[], lr: number, steps: number): number[] {
  const losses: number[] = [];
  for (let t = 0; t < steps; t++) {
    const { loss, grads } = fitLossAndGrads(state, targets);
    losses.push(loss);
    geoloraStep(state, grads, lr);
  }
  losses.push(fitLossAndGrads(state, targets).loss);
  return losses;
}

const sOf = (state: GeoloraState, i = 0): Matrix => {
  const r = state.ranks[i];
  const p = state.params[geoloraNames(state.config.layers[i]).s];
  return leadingBlock(p.data, state.config.rmax, r, r);
};

const basesOf = (state: GeoloraState, i: number) => {
  const n = geoloraNames(state.config.layers[i]);
  const [out, inn] = state.sizes[i];
  const { rmax } = state.config;
  const r = state.ranks[i];
  return {
    u: leadingBlock(state.params[n.u].data, rmax, out, r),
    v: leadingBlock(state.params[n.v].data, rmax, inn, r),
  };
};

/** A random `rows x cols` target of rank `k` with singular values 1..k scaled by `scale`. */
const arbTarget = fc
  .record({ rows: fc.integer({ min: 4, max: 12 }), cols: fc.integer({ min: 4, max: 12 }) })
  .chain(({ rows, cols }) =>
    fc
      .array(fc.double({ min: -1, max: 1, noNaN: true }), {
        minLength: rows * cols,
        maxLength: rows * cols,
      })
      .map((data) => matrix(rows, cols, data)),
  );

describe('geoloraStep on the paper toy (rank-2 target, section on low-rank toys)', () => {
  it("ends at rank 2 with singular values 15 and 2 under the authors' rule at tau = 0.15", () => {
    const state = toyState({ tau: 0.15, rule: 'authors' });
    const losses = run(state, [toyTarget()], 0.1, 1000);
    expect(state.ranks).toEqual([2]);
    const s = sOf(state);
    expect(Math.abs(s.data[0] - 15) / 15).toBeLessThan(1e-6);
    expect(Math.abs(s.data[3] - 2) / 2).toBeLessThan(1e-6);
    expect(Math.abs(s.data[1]) + Math.abs(s.data[2])).toBe(0);
    expect(losses[losses.length - 1]).toBeLessThan(1e-12);
  });

  it("ends at rank 2 under the paper's rule only for a tau small enough to let the second direction in", () => {
    // The -2 entry is orthogonal to the tangent space at any rank-1 point
    // e0 (.)^T + (.) e1^T, so once the second start direction (1e-2) is cut, no
    // augmentation brings it back. After the first step it carries 2.1e-5 of
    // the squared mass: tau = 1e-6 keeps it, 1e-4 and the paper's 0.15 do not.
    const fine = toyState({ tau: 1e-6, rule: 'paper' });
    run(fine, [toyTarget()], 0.1, 1000);
    expect(fine.ranks).toEqual([2]);
    const s = sOf(fine);
    expect(Math.abs(s.data[0] - 15) / 15).toBeLessThan(1e-6);
    expect(Math.abs(s.data[3] - 2) / 2).toBeLessThan(1e-6);
    const coarse = toyState({ tau: 0.15, rule: 'paper' });
    run(coarse, [toyTarget()], 0.1, 1000);
    expect(coarse.ranks).toEqual([1]);
    expect(Math.abs(sOf(coarse).data[0] - 15) / 15).toBeLessThan(1e-6);
  });
});

describe('geoloraStep', () => {
  it('keeps U and V orthonormal to 1e-12 at every one of 1000 steps', () => {
    fc.assert(
      fc.property(
        arbTarget,
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom('paper' as const, 'authors' as const),
        (target, rmax, rule) => {
          const k = Math.min(rmax, target.rows, target.cols);
          const state = createGeoloraState({ layers: [0], rmax: k, rank: 1, tau: 0.05, rule }, [
            {
              u: identity(target.rows, 1),
              s: matrix(1, 1),
              v: identity(target.cols, 1),
            },
          ]);
          for (let t = 0; t < 1000; t++) {
            geoloraStep(state, fitLossAndGrads(state, [target]).grads, 0.2);
            const { u, v } = basesOf(state, 0);
            expect(orthogonalityError(u)).toBeLessThan(1e-12);
            expect(orthogonalityError(v)).toBeLessThan(1e-12);
          }
        },
      ),
      { numRuns: 8 },
    );
  });

  it('decreases a convex quadratic at every step for a small learning rate', () => {
    fc.assert(
      fc.property(arbTarget, fc.double({ min: 0.01, max: 0.5, noNaN: true }), (target, lr) => {
        const rmax = Math.min(4, target.rows, target.cols);
        // S = 0.1, not 0: at S = 0 the bases get no gradient (G_U = G_W V S^T = 0)
        const state = createGeoloraState({ layers: [0], rmax, rank: 1, tau: 1e-10 }, [
          { u: identity(target.rows, 1), s: matrix(1, 1, [0.1]), v: identity(target.cols, 1) },
        ]);
        const losses = run(state, [target], lr, 60);
        for (let t = 1; t < losses.length; t++)
          expect(losses[t]).toBeLessThanOrEqual(losses[t - 1] * (1 + 1e-12) + 1e-14);
        if (frobeniusNorm(target) > 1e-3) expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
      }),
      { numRuns: 20 },
    );
  });

  it('takes its gradients from one backward pass of an autodiff graph', async () => {
    const target = toyTarget();
    const state = toyState({ tau: 0.15, rule: 'authors' });
    const graph = fitGraph(target, state.config.rmax);
    const n = geoloraNames(0);
    for (let t = 0; t < 30; t++) {
      const inputs = [state.params[n.u].data, state.params[n.s].data, state.params[n.v].data];
      const gs = (await evaluateToArrays(
        grad(graph, { wrt: [0, 1, 2] }),
        referenceBackend,
        inputs,
      )) as Float64Array[];
      const closed = fitLossAndGrads(state, [target]).grads;
      for (const [j, name] of [n.u, n.s, n.v].entries())
        for (let i = 0; i < gs[j].length; i++)
          expect(Math.abs(gs[j][i] - closed[name][i])).toBeLessThan(1e-10);
      geoloraStep(state, asGrads(state, gs), 0.1);
    }
    expect(state.ranks).toEqual([2]);
  });

  it('keeps exactly the rank its tolerance rule defines', () => {
    fc.assert(
      fc.property(
        // squares in this plain oracle underflow below 1e-154; extreme scales are tested below
        fc.array(fc.oneof(fc.constant(0), fc.double({ min: 1e-100, max: 10, noNaN: true })), {
          minLength: 1,
          maxLength: 12,
        }),
        fc.double({ min: 1e-6, max: 0.999, noNaN: true }),
        (raw, tau) => {
          const s = [...raw].sort((a, b) => b - a);
          const total = s.reduce((a, x) => a + x * x, 0);
          const tail = (r: number) => s.slice(r).reduce((a, x) => a + x * x, 0);
          // paper: the smallest r >= 1 with tail(r) < tau total (all of s if none)
          let paper = s.length;
          for (let r = 1; r <= s.length; r++)
            if (tail(r) < tau * total) {
              paper = r;
              break;
            }
          if (total === 0) paper = 1;
          expect(tauRank(s, tau, 'paper')).toBe(paper);
          // authors: the smallest r >= 0 with ||tail(r)|| < tau ||s||, then at least 2
          let authors = s.length;
          for (let r = 0; r <= s.length; r++)
            if (Math.sqrt(tail(r)) < tau * Math.sqrt(total)) {
              authors = r;
              break;
            }
          expect(tauRank(s, tau, 'authors')).toBe(Math.min(Math.max(authors, 2), s.length));
        },
      ),
    );
    expect(tauRank([3, 2, 1e-3], 0.01, 'paper')).toBe(2);
    expect(tauRank([3, 2, 1e-3], 0.5, 'paper')).toBe(1);
    expect(tauRank([3, 0.1, 1e-3], 0.15, 'authors')).toBe(2);
  });

  it('gives the same ranks and truncated mass at any scale, bit for bit under powers of two', () => {
    const s = [15, 2, 0.1];
    const cases: [number, number, 'paper' | 'authors', number][] = [
      [0.15, 1, 'paper', 1],
      [0.15, 1, 'authors', 2],
      [0.01, 1, 'paper', 2],
    ];
    for (const c of [1e-300, 1e-165, 1, 1e154, 1e160, 1e300]) {
      const scaled = s.map((v) => v * c);
      for (const [tau, , rule, rank] of cases)
        expect([c, tauRank(scaled, tau, rule)]).toEqual([c, rank]);
      expect(Math.abs(truncatedMass(scaled, [0, 1]) - 0.01 / 229.01)).toBeLessThan(1e-15);
    }
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 1e-3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: -1000, max: 1000 }),
        fc.double({ min: 1e-6, max: 0.99, noNaN: true }),
        (values, k, tau) => {
          const sorted = values.sort((a, b) => b - a);
          const scaled = sorted.map((v) => v * 2 ** k);
          for (const rule of ['paper', 'authors'] as const)
            expect(tauRank(scaled, tau, rule)).toBe(tauRank(sorted, tau, rule));
          const kept = sorted.map((_, i) => i).filter((i) => i % 2 === 0);
          expect(truncatedMass(scaled, kept)).toBe(truncatedMass(sorted, kept));
        },
      ),
      { seed: 11, numRuns: 300 },
    );
  });

  it('keeps the budget largest singular values across layers with budget-magnitude', () => {
    const rng = fc.sample(fc.double({ min: -1, max: 1, noNaN: true }), { numRuns: 200, seed: 3 });
    const targets = [matrix(6, 5, rng.slice(0, 30)), matrix(7, 6, rng.slice(30, 72))];
    const state = createGeoloraState(
      { layers: [1, 2], rmax: 3, rank: 2, truncation: 'budget-magnitude', budget: 4 },
      targets.map((t) => ({ u: identity(t.rows, 2), s: matrix(2, 2), v: identity(t.cols, 2) })),
    );
    for (let t = 0; t < 20; t++) {
      const report = geoloraStep(state, fitLossAndGrads(state, targets).grads, 0.3);
      expect(report.ranks.reduce((a, b) => a + b, 0)).toBe(4);
      for (const r of report.ranks) expect(r).toBeLessThanOrEqual(3);
    }
    // the kept values are each layer's leading ones, and no dropped value beats a kept one
    const kept = [sOf(state, 0), sOf(state, 1)].flatMap((s) =>
      Array.from({ length: s.rows }, (_, i) => s.data[i * s.cols + i]),
    );
    expect(kept.every((x) => x >= 0)).toBe(true);
  });

  it('with budget-exact and the true g, H of a quadratic keeps the loss-minimising subset', async () => {
    // For the fitting loss the second-order model is exact, so `exact` must
    // match brute force over subsets of the candidates on the true loss.
    const data = fc.sample(fc.double({ min: -1, max: 1, noNaN: true }), { numRuns: 60, seed: 7 });
    const targets = [matrix(5, 4, data.slice(0, 20)), matrix(4, 5, data.slice(20, 40))];
    const make = (truncation: 'budget-exact' | 'tau') =>
      createGeoloraState(
        { layers: [0, 1], rmax: 3, rank: 1, truncation, budget: 3, tau: 1e-12 },
        targets.map((t) => ({
          u: identity(t.rows, 1),
          s: matrix(1, 1, [0.5]),
          v: identity(t.cols, 1),
        })),
      );
    const state = make('budget-exact');
    const { grads } = fitLossAndGrads(state, targets);
    let seen: readonly SvdView[] = [];
    const report = await geoloraStepWithCurvature(state, grads, 0.4, (views) => {
      seen = views;
      return fitCurvature(views, targets);
    });
    expect(report.ranks.reduce((a, b) => a + b, 0)).toBe(3);
    const lossAfter = fitLossAndGrads(state, targets).loss;
    // brute force over every 3-subset of the candidates
    const flat = seen.flatMap((view, i) => Array.from(view.sigma, (_, j) => ({ i, j })));
    let best = Infinity;
    const choose = (from: number, picked: number[]): void => {
      if (picked.length === 3) {
        best = Math.min(best, viewLoss(seen, targets, new Set(picked)));
        return;
      }
      for (let k = from; k < flat.length; k++) choose(k + 1, [...picked, k]);
    };
    choose(0, []);
    expect(Math.abs(lossAfter - best)).toBeLessThan(1e-10 * Math.max(1, best));
  });

  it('with adam moves S alone between augmentations and keeps the bases', () => {
    const state = toyState({ tau: 0.15, rule: 'authors', optimizer: 'adam', augmentEvery: 5 });
    const target = toyTarget();
    const initial = fitLossAndGrads(state, [target]).loss;
    for (let t = 0; t < 300; t++) {
      const before = basesOf(state, 0);
      const report = geoloraStep(state, fitLossAndGrads(state, [target]).grads, 0.05);
      expect(report.augmented).toBe(t % 5 === 0);
      if (!report.augmented) {
        const after = basesOf(state, 0);
        expect(Array.from(after.u.data)).toEqual(Array.from(before.u.data));
        expect(Array.from(after.v.data)).toEqual(Array.from(before.v.data));
      }
    }
    expect(state.ranks).toEqual([2]);
    expect(fitLossAndGrads(state, [target]).loss).toBeLessThan(1e-4 * initial);
  });

  it('refuses bad learning rates and NaN gradients with one line naming them', () => {
    const state = toyState({});
    const { grads } = fitLossAndGrads(state, [toyTarget()]);
    expect(() => geoloraStep(state, grads, 0)).toThrow(/^lr: 0 is not a finite number > 0$/);
    const bad = { ...grads, 'geolora.S0': Float64Array.from(grads['geolora.S0'], () => NaN) };
    expect(() => geoloraStep(state, bad, 0.1)).toThrow(
      /^gradient geolora\.S0: entry 0 is NaN at step 0 \(layer 0\); check the loss or lower the learning rate$/,
    );
    const short = { ...grads, 'geolora.U0': new Float64Array(3) };
    expect(() => geoloraStep(state, short, 0.1)).toThrow(
      /^gradient geolora\.U0: has 3 entries, the parameter 160$/,
    );
    const curv = { ...state.config, truncation: 'budget-sublora-g' as const, budget: 2 };
    expect(() => geoloraStep({ ...state, config: curv }, grads, 0.1)).toThrow(
      /needs the gradient and Hessian .*; call geoloraStepWithCurvature$/,
    );
  });

  it('stops with the step and layer named when the step itself overflows', () => {
    const state = toyState({});
    const { grads } = fitLossAndGrads(state, [toyTarget()]);
    const huge = { ...grads, 'geolora.U0': Float64Array.from(grads['geolora.U0'], () => 1e300) };
    try {
      geoloraStep(state, huge, 1e10);
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(GeoloraStepError);
      expect((e as Error).message).toMatch(/^geolora step 0, layer 0: .* non-finite entry/);
    }
  });

  it('takes the same step whatever the scale of the gradient (lr scaled inversely)', () => {
    const rng = createRandom(5);
    const orthonormal = (rows: number) =>
      qr(
        matrix(
          rows,
          2,
          Array.from({ length: rows * 2 }, () => rng.normal()),
        ),
      ).q;
    const u = orthonormal(6);
    const v = orthonormal(5);
    const make = () =>
      createGeoloraState({ layers: [0], rmax: 3 }, [{ u, s: matrix(2, 2, [1, 0, 0, 0.5]), v }]);
    const g = Object.fromEntries(
      Object.entries(make().params).map(([k, p]) => [k, p.data.map(() => rng.normal())]),
    );
    const stepped = (c: number) => {
      const state = make();
      geoloraStep(
        state,
        Object.fromEntries(Object.entries(g).map(([k, x]) => [k, x.map((y) => y * c)])),
        0.1 / c,
      );
      return denseUpdate(state, 0);
    };
    const reference = stepped(1);
    for (const c of [1e-151, 1e-100, 1e100, 1e149, 1e151]) {
      const w = stepped(c);
      const diff = frobeniusNorm(
        matrix(
          w.rows,
          w.cols,
          w.data.map((x, i) => x - reference.data[i]),
        ),
      );
      expect([c, diff < 1e-12 * frobeniusNorm(reference)]).toEqual([c, true]);
    }
  });

  it('augments a layer too narrow for all of G_U S^-T along its dominant directions, in any column order', () => {
    // 3 x 7, rank 2: only one new direction fits; the target needs e1 e5^T, which only
    // the second column of G_V S^-1 carries when V = [e0, e1]
    const target = matrix(3, 7);
    target.data[0] = 1;
    target.data[7 + 1] = 1;
    target.data[7 + 5] = 1;
    const basis = (rows: number, swapped: boolean) => {
      const m = matrix(rows, 2);
      m.data[swapped ? 1 : 0] = 1;
      m.data[2 + (swapped ? 0 : 1)] = 1;
      return m;
    };
    for (const swapped of [false, true]) {
      const state = createGeoloraState({ layers: [0], rmax: 3, tau: 1e-6 }, [
        { u: basis(3, swapped), s: identity(2, 2), v: basis(7, swapped) },
      ]);
      const losses = run(state, [target], 0.2, 200);
      expect([swapped, losses[losses.length - 1] < 1e-20]).toEqual([swapped, true]);
    }
  });

  it.each(['plain', 'adam'] as const)(
    'with %s, leaves every layer and the optimizer state as they were when an S-only step overflows in a later layer',
    (optimizer) => {
      const s = (x: number) => matrix(2, 2, [x, 0, 0, x / 2]);
      const state = createGeoloraState({ layers: [0, 1], rmax: 3, augmentEvery: 2, optimizer }, [
        { u: identity(6, 2), s: s(1), v: identity(6, 2) },
        { u: identity(6, 2), s: s(2), v: identity(6, 2) },
      ]);
      const grads = (scale: number) =>
        Object.fromEntries(
          Object.entries(state.params).map(([k, p]) => [
            k,
            p.data.map((_, i) => scale * Math.sin(i + k.length)),
          ]),
        );
      geoloraStep(state, grads(1e-2), 0.1); // augments
      geoloraStep(state, grads(1e-2), 0.1); // S alone
      geoloraStep(state, grads(1e-2), 0.1); // augments
      // S1's first entry near the top of the range, then a step that takes it past it
      state.params['geolora.S1'].data[0] = 1.7e308;
      const g = grads(1e-2);
      g['geolora.S1'][0] = -1;
      const snapshot = () =>
        JSON.stringify(
          { params: state.params, adam: state.adam, step: state.step },
          (_, v: unknown) => (v instanceof Float64Array ? Array.from(v, String) : v),
        );
      const before = snapshot();
      expect(() => geoloraStep(state, g, 1e308)).toThrow(
        /^geolora step 3, layer 1: S has a non-finite entry/,
      );
      expect(snapshot()).toBe(before);
    },
  );
});

describe('geoloraSvdAdapter', () => {
  it('views each layer as U diag(sigma) V^T and prunes by zeroing sigma', () => {
    const state = toyState({ tau: 0.15, rule: 'authors', optimizer: 'adam', augmentEvery: 4 });
    const target = toyTarget();
    // stop between augmentations so S is a full matrix and the view must rotate
    for (let t = 0; t < 7; t++) geoloraStep(state, fitLossAndGrads(state, [target]).grads, 0.05);
    const [view] = geoloraSvdAdapter.svdView(state);
    const r = view.sigma.length;
    const u = matrix(20, r, view.u.data);
    const vt = matrix(r, 20, view.v.data);
    const d = matrix(r, r);
    view.sigma.forEach((x, i) => (d.data[i * r + i] = x));
    const rebuilt = matmul(matmul(u, d), vt);
    const dense = denseUpdate(state, 0);
    const diff = rebuilt.data.map((x, i) => x - dense.data[i]);
    expect(frobeniusNorm(matrix(20, 20, diff))).toBeLessThan(1e-12 * frobeniusNorm(dense));
    const keep = Array.from(view.sigma, (_, i) => (i === 0 ? 1 : 0));
    const pruned = geoloraSvdAdapter.prune(state, keep);
    const [after] = geoloraSvdAdapter.svdView(pruned);
    expect(Array.from(after.sigma)).toEqual(Array.from(view.sigma, (x, i) => (i === 0 ? x : 0)));
    expect(denseUpdate(state, 0).data).toEqual(dense.data); // the input state is untouched
  });
});

/** `g`, `H` of the fitting loss w.r.t. the views' singular values (exact: the loss is quadratic). */
function fitCurvature(views: readonly SvdView[], targets: readonly Matrix[]): CandidateCurvature {
  const cols = views.flatMap((view, i) =>
    Array.from(view.sigma, (_, j) => ({ i, u: column(view, 'u', j), v: column(view, 'v', j) })),
  );
  const residual = views.map((view, i) => {
    const w = viewDense(view);
    return matrix(
      w.rows,
      w.cols,
      w.data.map((x, k) => x - targets[i].data[k]),
    );
  });
  const n = cols.length;
  const g = new Float64Array(n);
  const h = new Float64Array(n * n);
  cols.forEach((a, p) => {
    const ra = matmul(residual[a.i], a.v);
    g[p] = a.u.data.reduce((acc, x, k) => acc + x * ra.data[k], 0);
    cols.forEach((b, q) => {
      if (a.i !== b.i) return;
      const uu = a.u.data.reduce((acc, x, k) => acc + x * b.u.data[k], 0);
      const vv = a.v.data.reduce((acc, x, k) => acc + x * b.v.data[k], 0);
      h[p * n + q] = uu * vv;
    });
  });
  return { grad: g, hessian: { data: h, size: n } };
}

function column(view: SvdView, which: 'u' | 'v', j: number): Matrix {
  if (which === 'u') {
    const [rows, r] = view.u.shape;
    return matrix(
      rows,
      1,
      Array.from({ length: rows }, (_, i) => view.u.data[i * r + j]),
    );
  }
  const [, cols] = view.v.shape;
  return matrix(cols, 1, view.v.data.slice(j * cols, (j + 1) * cols));
}

function viewDense(view: SvdView, keep?: (j: number) => boolean): Matrix {
  const [rows, r] = view.u.shape;
  const [, cols] = view.v.shape;
  const out = matrix(rows, cols);
  for (let j = 0; j < r; j++) {
    if (keep && !keep(j)) continue;
    for (let a = 0; a < rows; a++)
      for (let b = 0; b < cols; b++)
        out.data[a * cols + b] +=
          view.u.data[a * r + j] * view.sigma[j] * view.v.data[j * cols + b];
  }
  return out;
}

function viewLoss(
  views: readonly SvdView[],
  targets: readonly Matrix[],
  picked: Set<number>,
): number {
  let offset = 0;
  let loss = 0;
  views.forEach((view, i) => {
    const start = offset;
    const w = viewDense(view, (j) => picked.has(start + j));
    offset += view.sigma.length;
    for (let k = 0; k < w.data.length; k++) loss += (w.data[k] - targets[i].data[k]) ** 2 / 2;
  });
  return loss;
}
