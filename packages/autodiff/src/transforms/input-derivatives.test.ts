/** PDE input derivatives: partial (orders 1-3, mixed), laplacian, time derivatives; checked analytically and by finite differences. */
import { randoms, relError, run } from '../fd.test-utils';
import { spec, trace } from '../ir/trace';
import * as ops from '../ops';
import { laplacian, partial } from './input-derivatives';

const N = 5;
const pts = randoms(11, N * 3, -1, 1);
const col = (k: number) => Array.from({ length: N }, (_, n) => pts[n * 3 + k]);

// u(x, y, t) = sin(2x + y) * exp(-t) + x^2 y, written with the points as one [N, 3] input
const u = trace([spec('p', [N, 3])], (p) => {
  const x = ops.slice(p, [0, 0], [N, 1]),
    y = ops.slice(p, [0, 1], [N, 1]),
    t = ops.slice(p, [0, 2], [N, 1]);
  return ops.add(
    ops.mul(ops.sin(ops.add(ops.mul(x, 2), y)), ops.exp(ops.neg(t))),
    ops.mul(ops.square(x), y),
  );
});

const [X, Y, Tm] = [col(0), col(1), col(2)];
const s = X.map((x, n) => Math.sin(2 * x + Y[n]) * Math.exp(-Tm[n]));
const c = X.map((x, n) => Math.cos(2 * x + Y[n]) * Math.exp(-Tm[n]));

test.each([
  ['du/dx', { dim: 0 }, c.map((v, n) => 2 * v + 2 * X[n] * Y[n])],
  ['d2u/dx2', { dim: 0, order: 2 }, s.map((v, n) => -4 * v + 2 * Y[n])],
  ['d3u/dx3', { dim: 0, order: 3 }, c.map((v) => -8 * v)],
  ['du/dt', { dim: 2 }, s.map((v) => -v)],
  ['d2u/dx dy (mixed)', { dims: [0, 1] }, s.map((v, n) => -2 * v + 2 * X[n])],
  ['d2u/dx dt (mixed)', { dims: [0, 2] }, c.map((v) => -2 * v)],
])('partial %s matches the analytic derivative', async (_name, opts, want) => {
  const [got] = await run(partial(u, { wrt: 0, ...opts }), [pts]);
  expect(relError(got, want)).toBeLessThan(1e-12);
});

test('laplacian over the spatial columns matches the analytic value', async () => {
  const [got] = await run(laplacian(u, { wrt: 0, dims: [0, 1] }), [pts]);
  expect(
    relError(
      got,
      s.map((v, n) => -5 * v + 2 * Y[n]),
    ),
  ).toBeLessThan(1e-12);
});

test('laplacian of an MLP matches second central differences per point', async () => {
  const W1 = randoms(3, 2 * 4),
    W2 = randoms(4, 4);
  const net = trace([spec('x', [N, 2])], (x) =>
    ops.matmul(ops.tanh(ops.matmul(x, ops.constant(W1, [2, 4]))), ops.constant(W2, [4, 1])),
  );
  const xs = randoms(12, N * 2);
  const [lap] = await run(laplacian(net, { wrt: 0 }), [xs]);
  const h = 1e-4;
  const [u0] = await run(net, [xs]);
  const fd = new Array<number>(N).fill(0);
  for (let d = 0; d < 2; d++) {
    const shift = (sgn: number) => xs.map((v, i) => (i % 2 === d ? v + sgn * h : v));
    const [up] = await run(net, [shift(1)]),
      [um] = await run(net, [shift(-1)]);
    for (let n = 0; n < N; n++) fd[n] += (up[n] - 2 * u0[n] + um[n]) / (h * h);
  }
  expect(relError(lap, fd)).toBeLessThan(1e-5);
});

test('input derivatives need [N, d] points and valid columns', () => {
  expect(() => partial(u, { wrt: 0, dim: 3 })).toThrow(
    /dim 3 is not a column of the \[N, 3\] points/,
  );
  const v = trace([spec('x', [4])], (x) => ops.sin(x));
  expect(() => laplacian(v, { wrt: 0 })).toThrow(/must be points of shape \[N, d\], got \[4\]/);
});
