/**
 * Graphs from `@sublora/autodiff` (loss, gradient, Hessian of a small LoRA-SVD
 * MLP) run through `evaluate`, which hands them to `executeGraph`; results
 * must match `evaluate` on the reference backend.
 */
import {
  evaluate,
  grad,
  hessian,
  matmul,
  mean,
  mul,
  spec,
  square,
  sub,
  tanh,
  trace,
  add,
  type Graph,
} from '@sublora/autodiff';
import { referenceBackend, type Backend, type DType } from '@sublora/tensor';
import { createOnnxruntimeBackend, type OnnxruntimeBackend } from './index';

const N = 6;
const H = 5;
const K = 3;

/** Loss of a 2 -> H -> H -> 1 tanh MLP whose middle weight is W2 + U diag(sigma) V, as a function of sigma. */
function loraLoss(dtype: DType): Graph {
  return trace(
    [
      spec('sigma', [K], dtype),
      spec('x', [N, 2], dtype),
      spec('w1', [2, H], dtype),
      spec('w2', [H, H], dtype),
      spec('u', [H, K], dtype),
      spec('v', [K, H], dtype),
      spec('w3', [H, 1], dtype),
      spec('target', [N, 1], dtype),
    ],
    (sigma, x, w1, w2, u, v, w3, target) => {
      const adapted = add(w2, matmul(mul(u, sigma), v));
      const h1 = tanh(matmul(x, w1));
      const h2 = tanh(matmul(h1, adapted));
      return mean(square(sub(matmul(h2, w3), target)));
    },
  );
}

function data(n: number, seed: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.sin(seed * 7.1 + i * 1.3) * 0.8);
}

const shapes = [[K], [N, 2], [2, H], [H, H], [H, K], [K, H], [H, 1], [N, 1]];
const args = (seed: number) =>
  shapes.map((s, i) =>
    data(
      s.reduce((a, d) => a * d, 1),
      seed + i,
    ),
  );

async function run(g: Graph, be: Backend, seed: number): Promise<Float64Array[]> {
  const outs = await evaluate(g, be, args(seed));
  return Promise.all(outs.map(async (t) => Float64Array.from(await be.read(t))));
}

let be: OnnxruntimeBackend;
beforeAll(async () => {
  be = await createOnnxruntimeBackend({ executionProviders: ['cpu'] });
});

describe.each([
  ['float64', 1e-12],
  ['float32', 2e-5],
] as const)('%s', (dtype, tol) => {
  const loss = loraLoss(dtype);
  const graphs: Record<string, Graph> = {
    loss,
    gradient: grad(loss, { wrt: 0 }),
    hessian: hessian(loss, { wrt: 0 }),
  };
  test.each(Object.keys(graphs))('%s matches evaluate on the reference backend', async (name) => {
    const want = await run(graphs[name], referenceBackend, 1);
    const got = await run(graphs[name], be, 1);
    expect(got.map((g) => g.length)).toEqual(want.map((w) => w.length));
    want.forEach((w, o) => {
      const scale = Math.max(1, ...w.map(Math.abs));
      got[o].forEach((g, i) => expect(Math.abs(g - w[i])).toBeLessThanOrEqual(tol * scale));
    });
  });

  test('node-by-node evaluation on the lazy kernels (no executeGraph) agrees too', async () => {
    const { executeGraph: _unused, ...kernelsOnly } = be;
    const want = await run(graphs.hessian, referenceBackend, 4);
    const [got] = await run(graphs.hessian, kernelsOnly, 4);
    const scale = Math.max(1, ...want[0].map(Math.abs));
    got.forEach((g, i) => expect(Math.abs(g - want[0][i])).toBeLessThanOrEqual(tol * scale));
  });
});

test('the Hessian graph compiles once across new points and is symmetric', async () => {
  const fresh = await createOnnxruntimeBackend({ executionProviders: ['cpu'] });
  const h = hessian(loraLoss('float64'), { wrt: 0 });
  for (const seed of [1, 2, 3]) {
    const [got] = await run(h, fresh, seed);
    for (let i = 0; i < K; i++)
      for (let j = 0; j < K; j++) expect(got[i * K + j]).toBeCloseTo(got[j * K + i], 12);
  }
  expect(fresh.describe().sessions).toMatchObject({ compiles: 1, hits: 2 });
});
