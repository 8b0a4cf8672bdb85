/**
 * PoLAR vs LoRA-SVD on synthetic low-rank matrix fitting (issue 20): fit the
 * update to a known rank-k target T (n x n, singular values evenly spaced
 * from 1 down to 0.3, so no single direction dominates) by minimising ||dW - T||_F^2 / 2 with the same rank r, Adam,
 * and each method's best of three learning rates (by final loss); record the
 * loss and the stable rank ||dW||_F^2 / ||dW||_2^2 along the way. Seeded; the
 * gradients are closed-form on the host, so no backend is involved.
 *
 *     npm run build -w @sublora/bench && node tools/bench/dist/polar/main.js
 *
 * Writes tools/bench/results/polar-synthetic.json (or `--out FILE`).
 */
import { type Matrix, matmul, matrix, qr, svd } from '@sublora/linalg';
import { type ParamValues, adamStep, createAdamState } from '@sublora/nn';
import { createRandom } from '@sublora/tensor';
import { createPolarState, polarStep, stableRank } from '@sublora/polar';
import { loadavg } from 'node:os';
import { parseFlags, resultPath, writeResults } from '../harness';

const N = 64;
const RANK = 8;
const K = 8;
const STEPS = 2000;
const LOG_AT = [0, 50, 200, 500, 1000, 2000];
const RATES = [1e-3, 3e-3, 1e-2];

function orthonormal(n: number, k: number, rng: ReturnType<typeof createRandom>): Matrix {
  return qr(
    matrix(
      n,
      k,
      Array.from({ length: n * k }, () => rng.normal()),
    ),
  ).q;
}

/** T = A diag(s) B^T with s evenly spaced from 1 to 0.3. */
function target(seed: number): Matrix {
  const rng = createRandom(seed);
  const a = orthonormal(N, K, rng);
  const b = orthonormal(N, K, rng);
  for (let j = 0; j < K; j++) {
    const s = 1 - (0.7 * j) / (K - 1);
    for (let i = 0; i < N; i++) a.data[i * K + j] *= s;
  }
  return matmul(a, b, { transposeB: true });
}

const residual = (d: Matrix, t: Matrix): Matrix =>
  matrix(
    N,
    N,
    d.data.map((v, i) => v - t.data[i]),
  );
const lossOf = (r: Matrix): number => r.data.reduce((s, v) => s + v * v, 0) / 2;
function stableRankDense(d: Matrix): number {
  const s = svd(d).s;
  return s[0] === 0 ? 0 : s.reduce((a, v) => a + v * v, 0) / (s[0] * s[0]);
}

interface Trace {
  readonly lr: number;
  readonly points: { step: number; loss: number; stableRank: number }[];
}

/** LoRA-SVD (AdaLoRA form, U diag(sigma) V, U and V from N(0, 0.02^2), sigma = 0), Adam. */
function loraRun(t: Matrix, lr: number, seed: number): Trace {
  const rng = createRandom(seed);
  const params: ParamValues = {
    u: {
      shape: [N, RANK],
      data: Float64Array.from({ length: N * RANK }, () => 0.02 * rng.normal()),
    },
    s: { shape: [RANK], data: new Float64Array(RANK) },
    v: {
      shape: [RANK, N],
      data: Float64Array.from({ length: RANK * N }, () => 0.02 * rng.normal()),
    },
  };
  const adam = createAdamState(params);
  const points: Trace['points'] = [];
  for (let step = 0; step <= STEPS; step++) {
    const u = matrix(N, RANK, params.u.data);
    const v = matrix(RANK, N, params.v.data);
    const us = matrix(
      N,
      RANK,
      u.data.map((x, i) => x * params.s.data[i % RANK]),
    );
    const d = matmul(us, v);
    const r = residual(d, t);
    if (LOG_AT.includes(step))
      points.push({ step, loss: lossOf(r), stableRank: stableRankDense(d) });
    if (step === STEPS) break;
    const rvt = matmul(r, v, { transposeB: true }); // N x r
    const gu = rvt.data.map((x, i) => x * params.s.data[i % RANK]);
    const gs = new Float64Array(RANK);
    for (let i = 0; i < N; i++)
      for (let j = 0; j < RANK; j++) gs[j] += u.data[i * RANK + j] * rvt.data[i * RANK + j];
    const utr = matmul(u, r, { transposeA: true }); // r x N
    const gv = utr.data.map((x, i) => x * params.s.data[Math.floor(i / N)]);
    adamStep(adam, params, { u: gu, s: gs, v: gv }, lr);
  }
  return { lr, points };
}

/** PoLAR (X, Y Stiefel from a Gaussian's QR, Theta = 0, alpha = r): landing + Adam. */
function polarRun(t: Matrix, lr: number, seed: number): Trace {
  const rng = createRandom(seed);
  const shape = { layers: [1], rank: RANK, alpha: RANK, theta: 'full' as const };
  const params: ParamValues = {
    'polar.X1': { shape: [N, RANK], data: orthonormal(N, RANK, rng).data },
    'polar.Y1': { shape: [N, RANK], data: orthonormal(N, RANK, rng).data },
    'polar.Theta1': { shape: [RANK, RANK], data: new Float64Array(RANK * RANK) },
  };
  const state = createPolarState(params, shape);
  const points: Trace['points'] = [];
  for (let step = 0; step <= STEPS; step++) {
    const x = matrix(N, RANK, params['polar.X1'].data);
    const y = matrix(N, RANK, params['polar.Y1'].data);
    const theta = matrix(RANK, RANK, params['polar.Theta1'].data);
    const d = matmul(matmul(x, theta), y, { transposeB: true }); // scale alpha / r = 1
    const r = residual(d, t);
    if (LOG_AT.includes(step))
      points.push({ step, loss: lossOf(r), stableRank: stableRank(x, theta, y, 1) });
    if (step === STEPS) break;
    const ry = matmul(r, y); // N x r
    const rtx = matmul(r, x, { transposeA: true }); // N x r
    const grads = {
      'polar.X1': matmul(ry, theta, { transposeB: true }).data,
      'polar.Y1': matmul(rtx, theta).data,
      'polar.Theta1': matmul(x, ry, { transposeA: true }).data,
    };
    polarStep(state, params, grads, lr, shape);
  }
  return { lr, points };
}

function best(traces: readonly Trace[]): Trace {
  const final = (t: Trace) => t.points[t.points.length - 1].loss;
  return traces.reduce((a, b) => (final(b) < final(a) ? b : a));
}

function main(): void {
  const flags = parseFlags({ switches: [], values: [] });
  const seeds = [1, 2, 3];
  const load = loadavg();
  const runs = seeds.map((seed) => {
    const t = target(seed);
    const lora = RATES.map((lr) => loraRun(t, lr, seed + 100));
    const polar = RATES.map((lr) => polarRun(t, lr, seed + 100));
    return {
      seed,
      targetStableRank: stableRankDense(t),
      lora,
      polar,
      bestLora: best(lora),
      bestPolar: best(polar),
    };
  });
  for (const run of runs) {
    const row = (name: string, tr: Trace) =>
      `${name.padEnd(8)} lr ${tr.lr}: ` +
      tr.points
        .map((p) => `${p.step}: ${p.loss.toExponential(2)} / ${p.stableRank.toFixed(2)}`)
        .join(', ');
    console.log(
      `seed ${run.seed} (target stable rank ${run.targetStableRank.toFixed(2)}), step: loss / stable rank`,
    );
    console.log(row('lora-svd', run.bestLora));
    console.log(row('polar', run.bestPolar));
  }
  const path = resultPath('polar-synthetic', flags);
  writeResults(path, 'polar-synthetic', {
    setup: {
      n: N,
      rank: RANK,
      targetRank: K,
      steps: STEPS,
      rates: RATES,
      optimizer: 'adam',
      polarStep: 'landing',
      lambda: 1,
    },
    loadBefore: load,
    loadAfter: loadavg(),
    runs,
  });
  console.log(`wrote ${path}`);
}

main();
