/** Evaluation: memory discipline, whole-graph executors, float32, argument checks. */
import { referenceBackend, type Backend, type Tensor } from '@sublora/tensor';
import {
  evaluate,
  evaluateToArrays,
  profileByOp,
  type GraphExecutor,
  type NodeTiming,
} from './evaluate';
import { randoms, relError, run } from './fd.test-utils';
import { spec, trace } from './ir/trace';
import type { Graph } from './ir/types';
import * as ops from './ops';
import { hessian } from './transforms/hessian';
import { grad } from './transforms/vjp';

const f = trace([spec('s', [3]), spec('x', [4, 3])], (s, x) =>
  ops.sum(ops.square(ops.tanh(ops.mul(x, s)))),
);

/** A reference backend that records which handles it created and which were disposed. */
function trackingBackend(): { backend: Backend; live: () => Tensor[] } {
  const made = new Set<Tensor>();
  const handle = <T extends Tensor>(t: T) => (made.add(t), t);
  const backend: Backend = { ...referenceBackend };
  for (const key of Object.keys(referenceBackend) as (keyof Backend)[]) {
    const fn = referenceBackend[key];
    if (typeof fn !== 'function' || key === 'read' || key === 'readSync' || key === 'dispose')
      continue;
    (backend as unknown as Record<string, unknown>)[key] = (...args: unknown[]) =>
      handle((fn as (...a: unknown[]) => Tensor)(...args));
  }
  (backend as { dispose: Backend['dispose'] }).dispose = (t) => {
    made.delete(t);
    referenceBackend.dispose(t);
  };
  return { backend, live: () => [...made] };
}

test('evaluate disposes every intermediate and leaves only the outputs alive', async () => {
  const { backend, live } = trackingBackend();
  const H = hessian(f, { wrt: 0 });
  const x = backend.fromArray(randoms(1, 12), [4, 3], 'float64');
  const outs = await evaluate(H, backend, [randoms(2, 3), x]);
  expect(new Set(live())).toEqual(new Set([x, ...outs]));
  outs.forEach((t) => backend.dispose(t));
  await evaluateToArrays(H, backend, [randoms(2, 3), x]);
  expect(live()).toEqual([x]); // the caller's tensor is never disposed
});

test('a backend implementing GraphExecutor receives the whole graph', async () => {
  const seen: Graph[] = [];
  const executor: Backend & GraphExecutor = {
    ...referenceBackend,
    async executeGraph(graph, inputs) {
      seen.push(graph);
      return graph.outputs.map(() => referenceBackend.fill([3], inputs.length, 'float64'));
    },
  };
  const g = grad(f, { wrt: 0 });
  const [out] = await evaluateToArrays(g, executor, [randoms(2, 3), randoms(1, 12)]);
  expect(seen).toEqual([g]);
  expect(Array.from(out)).toEqual([2, 2, 2]);
});

test('float32 graphs evaluate in float32 and agree with float64 to float32 precision', async () => {
  const f32 = trace([spec('s', [3], 'float32'), spec('x', [4, 3], 'float32')], (s, x) =>
    ops.sum(ops.square(ops.tanh(ops.mul(x, s)))),
  );
  const xs = [randoms(2, 3), randoms(1, 12)];
  const out32 = await evaluateToArrays(hessian(f32, { wrt: 0 }), referenceBackend, xs);
  expect(out32[0]).toBeInstanceOf(Float32Array);
  const [h64] = await run(hessian(f, { wrt: 0 }), xs);
  expect(relError(Array.from(out32[0]), h64)).toBeLessThan(1e-5);
});

test('evaluate names the input that does not fit', async () => {
  await expect(evaluate(f, referenceBackend, [[1, 2], randoms(1, 12)])).rejects.toThrow(
    'evaluate: input s needs 3 values for shape [3], got 2',
  );
  await expect(evaluate(f, referenceBackend, [[1, 2, 3]])).rejects.toThrow(
    /graph takes 2 inputs \(s, x\) but got 1/,
  );
  const wrong = referenceBackend.fromArray([1, 2, 3], [3], 'float32');
  await expect(evaluate(f, referenceBackend, [wrong, randoms(1, 12)])).rejects.toThrow(
    'evaluate: input s must be float64[3], got float32[3]',
  );
});

test('evaluate with a profile records one timing per executed node; profileByOp groups them', async () => {
  const H = hessian(f, { wrt: 0 });
  const profile: NodeTiming[] = [];
  const [h] = await evaluateToArrays(H, referenceBackend, [randoms(2, 3), randoms(1, 12)], {
    profile,
  });
  expect(Array.from(h)).toEqual((await run(H, [randoms(2, 3), randoms(1, 12)]))[0]);
  const executed = H.nodes.filter((n) => n.op !== 'input');
  expect(profile.map((t) => t.id)).toEqual(executed.map((n) => n.id));
  profile.forEach((t) => {
    expect(t.op).toBe(H.nodes[t.id].op);
    expect(t.shape).toEqual(H.nodes[t.id].shape);
    expect(t.ms).toBeGreaterThanOrEqual(0);
  });
  const byOp = profileByOp(profile);
  expect(byOp.reduce((a, r) => a + r.nodes, 0)).toBe(profile.length);
  expect(byOp.reduce((a, r) => a + r.ms, 0)).toBeCloseTo(
    profile.reduce((a, t) => a + t.ms, 0),
    9,
  );
  for (let i = 1; i < byOp.length; i++) expect(byOp[i - 1].ms).toBeGreaterThanOrEqual(byOp[i].ms);
});
