/**
 * The GeoLoRA paper's low-rank toy (its appendix): fit a 20 x 20 target of
 * rank 2 (entries (0, 1) = 15 and (1, 0) = -2) from rank 4,
 * `S = diag(10, 1e-2, 1e-4, 1e-6)`, `U = V = [I; 0]`, lr 0.1, tau 0.15, up to
 * 1000 steps, with
 * - GeoLoRA (`@sublora/geolora`, both tau rules), and
 * - our AdaLoRA-style baseline: `P diag(lambda) Q^T` at rank 8 (the start's
 *   four directions and four zero ones), plain gradient steps on the loss
 *   plus AdaLoRA's orthogonality regulariser
 *   `gamma (||P^T P - I||_F^2 + ||Q^T Q - I||_F^2)` (gamma 0.1), by plain
 *   gradient steps and by Adam (AdaLoRA's optimizer), and after
 *   every step the authors' tolerance rule on `|lambda|` masking the tail
 *   (set to 0; masked values keep training, as in AdaLoRA).
 * Reports the final rank, the leading values and the loss of each, per step
 * count. Not a timing: the numbers are deterministic.
 *
 *     node tools/bench/dist/geolora-toy/main.js [--out FILE]
 *
 * Writes tools/bench/results/geolora-toy.json.
 */
import { createGeoloraState, geoloraNames, geoloraStep, tauRank } from '@sublora/geolora';
import { type Matrix, identity, matmul, matrix } from '@sublora/linalg';
import { type ParamValues, adamStep, createAdamState } from '@sublora/nn';
import { parseFlags, resultPath, writeResults } from '../harness';

const flags = (() => {
  try {
    return parseFlags({ switches: [], values: [], positiveInts: ['--steps'] });
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  }
})();
const STEPS = flags.positiveInts.get('--steps') ?? 1000;
const LR = 0.1;
const TAU = 0.15;
const GAMMA = 0.1;
const N = 20;

function target(): Matrix {
  const t = matrix(N, N);
  t.data[1] = 15;
  t.data[N] = -2;
  return t;
}

const minus = (a: Matrix, b: Matrix): Matrix =>
  matrix(
    a.rows,
    a.cols,
    a.data.map((x, i) => x - b.data[i]),
  );
const sumSquares = (a: Matrix) => a.data.reduce((acc, x) => acc + x * x, 0);

interface Outcome {
  readonly rank: number;
  readonly values: number[];
  readonly loss: number;
}

/** GeoLoRA with closed-form gradients of `1/2 ||U S V^T - T||^2`. */
function geolora(rule: 'paper' | 'authors'): Record<number, Outcome> {
  const s0 = matrix(4, 4);
  [10, 1e-2, 1e-4, 1e-6].forEach((x, i) => (s0.data[i * 4 + i] = x));
  const state = createGeoloraState({ layers: [0], rmax: 8, tau: TAU, rule }, [
    { u: identity(N, 4), s: s0, v: identity(N, 4) },
  ]);
  const n = geoloraNames(0);
  const at = (name: string) => {
    const p = state.params[name];
    return matrix(p.shape[0], p.shape[1], p.data);
  };
  const out: Record<number, Outcome> = {};
  for (let step = 1; step <= STEPS; step++) {
    const [u, s, v] = [at(n.u), at(n.s), at(n.v)];
    const gw = minus(matmul(matmul(u, s), v, { transposeB: true }), target());
    geoloraStep(
      state,
      {
        [n.u]: matmul(matmul(gw, v), s, { transposeB: true }).data,
        [n.s]: matmul(matmul(u, gw, { transposeA: true }), v).data,
        [n.v]: matmul(matmul(gw, u, { transposeA: true }), s).data,
      },
      LR,
    );
    if (step === 100 || step === STEPS) {
      const w = matmul(matmul(at(n.u), at(n.s)), at(n.v), { transposeB: true });
      const r = state.ranks[0];
      out[step] = {
        rank: r,
        values: Array.from({ length: r }, (_, i) => at(n.s).data[i * 8 + i]),
        loss: sumSquares(minus(w, target())) / 2,
      };
    }
  }
  return out;
}

/** The AdaLoRA-style baseline of the module comment, by plain gradient steps or Adam (AdaLoRA's). */
function adaloraStyle(optimizer: 'sgd' | 'adam'): Record<number, Outcome> {
  const r = 8;
  const params: ParamValues = {
    P: { shape: [N, r], data: Float64Array.from(identity(N, r).data) },
    Q: { shape: [N, r], data: Float64Array.from(identity(N, r).data) },
    lambda: { shape: [r], data: new Float64Array(r) },
  };
  const lambda = params.lambda.data;
  [10, 1e-2, 1e-4, 1e-6].forEach((x, i) => (lambda[i] = x));
  const adam = createAdamState(params);
  const factor = (name: string) => matrix(N, r, params[name].data);
  const scaled = (a: Matrix) =>
    matrix(
      a.rows,
      a.cols,
      a.data.map((x, k) => x * lambda[k % r]),
    );
  const orth = (a: Matrix) => minus(matmul(a, a, { transposeA: true }), identity(r));
  const out: Record<number, Outcome> = {};
  for (let step = 1; step <= STEPS; step++) {
    const [p, q] = [factor('P'), factor('Q')];
    const gw = minus(matmul(scaled(p), q, { transposeB: true }), target());
    // d/dA gamma ||A^T A - I||_F^2 = 4 gamma A (A^T A - I)
    const withOrth = (g: Matrix, a: Matrix) => {
      const reg = matmul(a, orth(a));
      return g.data.map((x, k) => x + 4 * GAMMA * reg.data[k]);
    };
    const grads = {
      P: withOrth(matmul(gw, scaled(q)), p),
      Q: withOrth(matmul(gw, scaled(p), { transposeA: true }), q),
      lambda: Float64Array.from({ length: r }, (_, i) => {
        let acc = 0;
        for (let a = 0; a < N; a++)
          for (let b = 0; b < N; b++)
            acc += p.data[a * r + i] * gw.data[a * N + b] * q.data[b * r + i];
        return acc;
      }),
    };
    if (optimizer === 'adam') adamStep(adam, params, grads, LR);
    else
      for (const [name, g] of Object.entries(grads))
        params[name].data.forEach((x, k, d) => (d[k] = x - LR * g[k]));
    // mask the tail by the authors' rule on |lambda|, sorted
    const order = Array.from({ length: r }, (_, i) => i).sort(
      (a, b) => Math.abs(lambda[b]) - Math.abs(lambda[a]),
    );
    const magnitudes = order.map((i) => Math.abs(lambda[i]));
    const kept = magnitudes.every(Number.isFinite) ? tauRank(magnitudes, TAU, 'authors') : r;
    for (const i of order.slice(kept)) lambda[i] = 0;
    if (step === 100 || step === STEPS) {
      const w = matmul(scaled(factor('P')), factor('Q'), { transposeB: true });
      const values = order.slice(0, kept).map((i) => lambda[i]);
      out[step] = {
        rank: values.filter((x) => x !== 0).length,
        values,
        loss: sumSquares(minus(w, target())) / 2,
      };
    }
  }
  return out;
}

function main(): void {
  const runs = {
    'geolora-authors': geolora('authors'),
    'geolora-paper': geolora('paper'),
    'adalora-style-sgd': adaloraStyle('sgd'),
    'adalora-style-adam': adaloraStyle('adam'),
  };
  for (const [name, byStep] of Object.entries(runs))
    for (const [step, o] of Object.entries(byStep))
      console.log(
        `${name} step ${step}: rank ${o.rank}, values ${o.values.map((x) => x.toPrecision(8)).join(', ')}, loss ${o.loss.toExponential(3)}`,
      );
  const out = resultPath('geolora-toy', flags);
  writeResults(out, 'geolora-toy', {
    note: 'GeoLoRA paper toy: 20 x 20 rank-2 target, start rank 4, lr 0.1, tau 0.15; AdaLoRA-style: rank 8, orthogonality weight 0.1, plain steps or Adam, authors-rule masking of lambda',
    steps: STEPS,
    runs,
  });
  console.log(`wrote ${out}`);
}

main();
