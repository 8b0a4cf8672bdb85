/** Evaluation: memory discipline, whole-graph executors, float32, argument checks. */
import fc from 'fast-check';
import { referenceBackend, type Backend, type Tensor } from '@sublora/tensor';
import {
  evaluate,
  evaluateToArrays,
  NonFiniteValueError,
  profileByOp,
  type GraphExecutor,
  type NodeTiming,
} from './evaluate';
import { randoms, relError, run } from './fd.test-utils';
import { spec, trace } from './ir/trace';
import { GraphError, type Graph } from './ir/types';
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
    fuse: false,
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

describe('elementwise fusion (backends with an elementwise kernel)', () => {
  const inputs = [randoms(2, 3), randoms(1, 12)];

  test('gives the same results bit for bit, runs fewer kernels, and profiles a fused chain as one node', async () => {
    const H = hessian(f, { wrt: 0 });
    const plain: NodeTiming[] = [];
    const fused: NodeTiming[] = [];
    const [a] = await evaluateToArrays(H, referenceBackend, inputs, {
      profile: plain,
      fuse: false,
    });
    const [b] = await evaluateToArrays(H, referenceBackend, inputs, { profile: fused });
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(fused.length).toBeLessThan(plain.length);
    const chains = fused.filter((t) => t.op === 'fused');
    expect(chains.length).toBeGreaterThan(0);
    for (const t of chains) expect(t.shape).toEqual(H.nodes[t.id].shape);
  });

  test('random elementwise programs with broadcast operands: fused equals unfused (fast-check)', async () => {
    const unary = [ops.neg, ops.exp, ops.tanh, ops.sin, ops.cos, ops.square];
    const binary = [ops.add, ops.sub, ops.mul, ops.div];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(9), fc.nat(), fc.nat()), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 1000 }),
        async (recipe, seed) => {
          const g = trace(
            [
              spec('a', [2, 4, 5]),
              spec('b', [4, 5]),
              spec('c', [5]),
              spec('d', [2, 4, 1]),
              spec('e', [2, 1, 5]),
            ],
            (...xs) => {
              const vals = [...xs];
              for (const [k, i, j] of recipe) {
                const x = vals[i % vals.length],
                  y = vals[j % vals.length];
                vals.push(k < unary.length ? unary[k](x) : binary[k % binary.length](x, y));
              }
              // two outputs: the last value and one intermediate, so some chains end at an output
              return [ops.add(vals[vals.length - 1], 0.5), vals[Math.floor(vals.length / 2)]];
            },
          );
          const xs = [
            randoms(seed, 40),
            randoms(seed + 1, 20),
            randoms(seed + 2, 5),
            randoms(seed + 3, 8),
            randoms(seed + 4, 10),
          ];
          const { backend, live } = trackingBackend();
          const plain = await evaluateToArrays(g, referenceBackend, xs, { fuse: false });
          const fusedOut = await evaluateToArrays(g, backend, xs);
          fusedOut.forEach((o, k) => {
            expect(o.length).toBe(plain[k].length);
            for (let i = 0; i < o.length; i++) expect(Object.is(o[i], plain[k][i])).toBe(true);
          });
          expect(live()).toEqual([]);
        },
      ),
      { numRuns: 80 },
    );
  });

  test('a rank-one product read by several chains is computed in each of their kernels, never stored', async () => {
    const g = trace([spec('u', [2, 4, 1]), spec('v', [2, 1, 5]), spec('p', [4, 5])], (u, v, p) => {
      const t = ops.mul(u, v); // [2, 4, 5] from 8 + 10 numbers
      return [ops.add(ops.mul(t, p), 1), ops.sub(ops.tanh(t), p), ops.mul(ops.exp(t), t)];
    });
    const t = g.nodes.find((n) => n.op === 'mul' && n.shape.length === 3 && n.inputs[0] < 3);
    const xs = [randoms(1, 8), randoms(2, 10), randoms(3, 20)];
    const plain = await evaluateToArrays(g, referenceBackend, xs, { fuse: false });
    const { backend, live } = trackingBackend();
    const profile: NodeTiming[] = [];
    const fusedOut = await evaluateToArrays(g, backend, xs, { profile });
    fusedOut.forEach((o, k) => o.forEach((v, i) => expect(Object.is(v, plain[k][i])).toBe(true)));
    expect(live()).toEqual([]);
    expect(profile.some((e) => e.id === t?.id)).toBe(false);
    expect(profile.filter((e) => e.op !== 'fill').map((e) => e.op)).toEqual([
      'fused',
      'fused',
      'fused',
    ]);
  });

  test('a lone elementwise node runs as a one-step program when large, as its own kernel when small', async () => {
    const g = trace(
      [spec('x', [128, 128]), spec('y', [128, 1]), spec('a', [2, 3]), spec('b', [3])],
      (x, y, a, b) => [ops.mul(x, y), ops.mul(a, b)],
    );
    const xs = [randoms(1, 128 * 128), randoms(2, 128), randoms(3, 6), randoms(4, 3)];
    const plain = await evaluateToArrays(g, referenceBackend, xs, { fuse: false });
    const profile: NodeTiming[] = [];
    const fusedOut = await evaluateToArrays(g, referenceBackend, xs, { profile });
    fusedOut.forEach((o, k) => o.forEach((v, i) => expect(Object.is(v, plain[k][i])).toBe(true)));
    expect(profile.map((e) => [e.op, e.shape])).toEqual([
      ['fused', [128, 128]],
      ['mul', [2, 3]],
    ]);
  });
});

describe('checkFinite', () => {
  // loss(a, x) = sum(log(x * a)) + sum(tanh(x)): log of a negative product is NaN
  const g = trace([spec('a', []), spec('x', [2, 3])], (a, x) =>
    ops.add(ops.sum(ops.log(ops.mul(x, a))), ops.sum(ops.tanh(x))),
  );
  const x = [0.5, 1, 1.5, 2, 2.5, 3];

  test('finite runs give the results of a plain run, bit for bit, and free every intermediate', async () => {
    const H = hessian(f, { wrt: 0 });
    const xs = [randoms(2, 3), randoms(1, 12)];
    const plain = await evaluateToArrays(H, referenceBackend, xs);
    const { backend, live } = trackingBackend();
    const checked = await evaluateToArrays(H, backend, xs, { checkFinite: true });
    checked[0].forEach((v, i) => expect(Object.is(v, plain[0][i])).toBe(true));
    expect(live()).toEqual([]);
  });

  test('names the first node that gives a NaN, with its op and operands, and frees what it made', async () => {
    // without the check the NaN just comes out
    const [quiet] = await evaluateToArrays(g, referenceBackend, [-1, x]);
    expect(quiet[0]).toBeNaN();
    const { backend, live } = trackingBackend();
    const logNode = g.nodes.find((n) => n.op === 'log')!;
    const mulNode = g.nodes[logNode.inputs[0]];
    await expect(evaluateToArrays(g, backend, [-1, x], { checkFinite: true })).rejects.toThrow(
      `evaluate: checkFinite: node %${logNode.id} = log(%${mulNode.id} mul) is NaN at flat index 0 of float64[2,3], from finite operands`,
    );
    const error = await evaluateToArrays(g, referenceBackend, [-1, x], { checkFinite: true }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NonFiniteValueError);
    expect(error).toBeInstanceOf(GraphError);
    expect(error).toMatchObject({ id: logNode.id, description: expect.stringMatching(/^node %/) });
    expect((error as NonFiniteValueError).value).toBeNaN();
    expect(live()).toEqual([]);
  });

  test('names an infinite value and a non-finite input', async () => {
    await expect(
      evaluateToArrays(g, referenceBackend, [0, x], { checkFinite: true }),
    ).rejects.toThrow(/= log\(.*\) is -Infinity at flat index 0 of float64\[2,3\]/);
    await expect(
      evaluateToArrays(g, referenceBackend, [1, [0.5, 1, NaN, 2, 2.5, 3]], { checkFinite: true }),
    ).rejects.toThrow(
      'evaluate: checkFinite: input x is NaN at flat index 2 of float64[2,3]; pass finite values',
    );
  });

  test('drives a GraphExecutor backend kernel by kernel, so the node is found', async () => {
    const seen: Graph[] = [];
    const executor: Backend & GraphExecutor = {
      ...referenceBackend,
      async executeGraph(graph) {
        seen.push(graph);
        throw new Error('not used when checking');
      },
    };
    await expect(evaluateToArrays(g, executor, [-1, x], { checkFinite: true })).rejects.toThrow(
      /checkFinite: node %\d+ = log/,
    );
    const [ok] = await evaluateToArrays(g, executor, [1, x], { checkFinite: true });
    expect(Number.isFinite(ok[0])).toBe(true);
    expect(seen).toEqual([]);
  });
});
