/**
 * Every primitive's jvp and vjp rule against central finite differences in
 * float64, on random shapes and values (fast-check).
 */
import fc from 'fast-check';
import { sizeOf, type Shape } from '@sublora/tensor';
import { fdDirectional, fdGradient, randoms, relError, run } from '../fd.test-utils';
import type { Value } from '../ir/builder';
import { spec, trace } from '../ir/trace';
import * as ops from '../ops';
import { grad } from '../transforms/vjp';
import { jvp } from '../transforms/jvp';
import { jacobian } from '../transforms/hessian';

interface Dims {
  m: number;
  n: number;
  k: number;
  seed: number;
}

interface Case {
  /** Input shapes for the given dims. */
  shapes(d: Dims): Shape[];
  /** The op under test, on the traced inputs. */
  build(xs: Value[], d: Dims): Value;
  /** Input values in [lo, hi) (default [-2, 2)). */
  range?: [number, number];
  tol?: number;
  /** Finite-difference step (default 1e-5). */
  step?: number;
}

const un = (f: (x: Value) => Value, range?: [number, number]): Case => ({
  shapes: (d) => [[d.m, d.n]],
  build: ([x]) => f(x),
  range,
});

const cases: Record<string, Case> = {
  neg: un(ops.neg),
  exp: un(ops.exp),
  log: un(ops.log, [0.5, 2]),
  tanh: un(ops.tanh),
  sin: un(ops.sin),
  cos: un(ops.cos),
  sqrt: un(ops.sqrt, [0.5, 2]),
  square: un(ops.square),
  add: { shapes: (d) => [[d.m, d.n], [d.n]], build: ([a, b]) => ops.add(a, b) },
  sub: {
    shapes: (d) => [
      [d.m, 1],
      [d.m, d.n],
    ],
    build: ([a, b]) => ops.sub(a, b),
  },
  mul: {
    shapes: (d) => [
      [d.m, d.n],
      [d.m, 1],
    ],
    build: ([a, b]) => ops.mul(a, b),
  },
  div: { shapes: (d) => [[d.n], [d.m, d.n]], build: ([a, b]) => ops.div(a, b), range: [0.5, 2] },
  'pow(3)': un((x) => ops.pow(x, 3)),
  'pow(-1.5)': un((x) => ops.pow(x, -1.5), [0.5, 2]),
  matmul: {
    shapes: (d) => [
      [d.m, d.k],
      [d.k, d.n],
    ],
    build: ([a, b]) => ops.matmul(a, b),
  },
  'matmul(transposeA, transposeB)': {
    shapes: (d) => [
      [d.k, d.m],
      [d.n, d.k],
    ],
    build: ([a, b]) => ops.matmul(a, b, { transposeA: true, transposeB: true }),
  },
  'matmul(batched, broadcast)': {
    shapes: (d) => [
      [2, d.m, d.k],
      [d.k, d.n],
    ],
    build: ([a, b]) => ops.matmul(a, b, { transposeB: false }),
  },
  'matmul(transposeB, batched b)': {
    shapes: (d) => [
      [d.m, d.k],
      [2, d.n, d.k],
    ],
    build: ([a, b]) => ops.matmul(a, b, { transposeB: true }),
  },
  transpose: { shapes: (d) => [[d.m, d.n, d.k]], build: ([x]) => ops.transpose(x, [2, 0, 1]) },
  reshape: { shapes: (d) => [[d.m, d.n]], build: ([x], d) => ops.reshape(x, [d.n, d.m]) },
  broadcast: { shapes: (d) => [[1, d.n]], build: ([x], d) => ops.broadcastTo(x, [d.k, d.m, d.n]) },
  'sum(axis 0)': { shapes: (d) => [[d.m, d.n]], build: ([x]) => ops.sum(x, 0) },
  'sum(all, keepDims)': {
    shapes: (d) => [[d.m, d.n]],
    build: ([x]) => ops.sum(x, undefined, true),
  },
  'mean(axis -1)': { shapes: (d) => [[d.m, d.n, d.k]], build: ([x]) => ops.mean(x, -1) },
  slice: {
    shapes: (d) => [[d.m + 1, d.n + 2]],
    build: ([x], d) => ops.slice(x, [1, 1], [d.m, d.n]),
  },
  concat: {
    shapes: (d) => [
      [d.m, d.n],
      [d.m, d.k],
    ],
    build: ([a, b]) => ops.concat([a, b], 1),
  },
  gather: { shapes: (d) => [[d.m, d.n]], build: ([x], d) => ops.gather(x, [0, d.m - 1, 0], 0) },
  scatterAdd: {
    shapes: (d) => [[3, d.n]],
    build: ([x], d) => ops.scatterAdd(x, [0, d.m - 1, 0], 0, d.m),
  },
  where: {
    shapes: (d) => [[d.m, d.n], [d.n]],
    build: ([a, b], d) =>
      ops.where(ops.greater(ops.constant(randoms(d.seed + 7, d.m * d.n), [d.m, d.n]), 0), a, b),
  },
  compare: {
    // piecewise constant: the derivative is exactly zero (away from ties)
    shapes: (d) => [
      [d.m, d.n],
      [d.m, d.n],
    ],
    build: ([a, b]) => ops.add(ops.mul(ops.less(a, b), 3), a),
  },
  // hessian's internal cotangent mark: the identity on its first operand, no derivative to the second
  adjointOf: {
    shapes: (d) => [
      [d.m, d.n],
      [d.m, d.n],
    ],
    build: ([ct, m]) => ops.mul(ct.builder.emit('adjointOf', [ct, m], { contraction: 1 }), ct),
  },
  cast: {
    shapes: (d) => [[d.m, d.n]],
    build: ([x]) => ops.cast(ops.mul(ops.cast(x, 'float32'), 2), 'float64'),
    // linear, so a long step costs no truncation error and keeps float32
    // rounding (about 1e-7 |x|) small against it: 1e-5 made it up to 1e-2
    step: 0.25,
    tol: 1e-5,
  },
};

const dims = fc.record({
  m: fc.integer({ min: 1, max: 3 }),
  n: fc.integer({ min: 1, max: 3 }),
  k: fc.integer({ min: 1, max: 3 }),
  seed: fc.integer({ min: 1, max: 1_000_000 }),
});

describe.each(Object.entries(cases))('%s', (_name, c) => {
  const setup = (d: Dims) => {
    const shapes = c.shapes(d);
    const [lo, hi] = c.range ?? [-2, 2];
    const inputs = shapes.map((s, i) => randoms(d.seed + i, sizeOf(s), lo, hi));
    const specs = shapes.map((s, i) => spec(`x${i}`, s));
    return { shapes, inputs, specs };
  };

  test('vjp rule matches central differences', async () => {
    await fc.assert(
      fc.asyncProperty(dims, async (d) => {
        const { shapes, inputs, specs } = setup(d);
        // scalarize with random weights so every output entry matters
        const f = trace(specs, (...xs) => {
          const y = c.build(xs, d);
          return ops.sum(ops.mul(y, ops.constant(randoms(d.seed + 99, sizeOf(y.shape)), y.shape)));
        });
        for (let i = 0; i < shapes.length; i++) {
          const [g] = await run(grad(f, { wrt: i }), inputs);
          expect(relError(g, await fdGradient(f, inputs, i, c.step))).toBeLessThan(c.tol ?? 1e-6);
        }
      }),
      { numRuns: 4 },
    );
  });

  test('jvp rule matches central differences', async () => {
    await fc.assert(
      fc.asyncProperty(dims, async (d) => {
        const { shapes, inputs, specs } = setup(d);
        const f = trace(specs, (...xs) => c.build(xs, d));
        for (let i = 0; i < shapes.length; i++) {
          const v = randoms(d.seed + 31 * (i + 1), inputs[i].length);
          const outs = await run(jvp(f, { wrt: i }), [...inputs, v]);
          expect(relError(outs[1], await fdDirectional(f, inputs, i, v, 0, c.step))).toBeLessThan(
            c.tol ?? 1e-6,
          );
        }
      }),
      { numRuns: 4 },
    );
  });

  test('batched jvp rule (jacobian over the input basis, in chunks) matches central differences', async () => {
    await fc.assert(
      fc.asyncProperty(dims, async (d) => {
        const { shapes, inputs, specs } = setup(d);
        const f = trace(specs, (...xs) => c.build(xs, d));
        for (let i = 0; i < shapes.length; i++) {
          const n = inputs[i].length;
          const [J] = await run(jacobian(f, { wrt: i, chunk: 2 }), inputs);
          const m = J.length / n;
          for (let col = 0; col < n; col++) {
            const e = new Array<number>(n).fill(0);
            e[col] = 1;
            const fd = await fdDirectional(f, inputs, i, e, 0, c.step);
            const got = Array.from({ length: m }, (_, row) => J[row * n + col]);
            expect(relError(got, fd)).toBeLessThan(c.tol ?? 1e-6);
          }
        }
      }),
      { numRuns: 2 },
    );
  });
});
