/**
 * Every kernel against the float64/float32 reference backend of
 * `@sublora/tensor`: the same recipe runs on both, results must agree within
 * dtype-aware tolerances.
 */
import fc from 'fast-check';
import { referenceBackend, type Backend, type DType, type Tensor } from '@sublora/tensor';
import { createOnnxruntimeBackend, type OnnxruntimeBackend } from './index';

let ort: OnnxruntimeBackend;
beforeAll(async () => {
  ort = await createOnnxruntimeBackend({ executionProviders: ['cpu'] });
});

/** Deterministic pseudo-random values in [lo, hi). */
function values(n: number, seed: number, lo = -2, hi = 2): number[] {
  let s = seed >>> 0 || 1;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + ((hi - lo) * s) / 2 ** 32;
  });
}

const TOL: Record<DType, number> = { float64: 1e-12, float32: 2e-5 };

type Recipe = (be: Backend, dtype: DType) => Tensor;

async function expectSame(recipe: Recipe, dtype: DType): Promise<void> {
  const want = referenceBackend.readSync?.(recipe(referenceBackend, dtype)) as
    Float64Array | Float32Array;
  const t = recipe(ort, dtype);
  const got = await ort.read(t);
  expect(t.dtype).toBe(dtype);
  expect(got).toBeInstanceOf(dtype === 'float64' ? Float64Array : Float32Array);
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    const g = got[i];
    if (Number.isNaN(w) || !Number.isFinite(w)) {
      expect(g).toBe(w);
    } else if (Math.abs(g - w) > TOL[dtype] * Math.max(1, Math.abs(w))) {
      throw new Error(`entry ${i}: onnxruntime ${g} vs reference ${w} (${dtype})`);
    }
  }
}

const t = (
  be: Backend,
  shape: number[],
  dtype: DType,
  seed: number,
  lo?: number,
  hi?: number,
): Tensor =>
  be.fromArray(
    values(
      shape.reduce((a, d) => a * d, 1),
      seed,
      lo,
      hi,
    ),
    shape,
    dtype,
  );

const cases: Record<string, Recipe> = {
  fromArray: (be, d) => t(be, [2, 3], d, 1),
  fill: (be, d) => be.fill([3, 2], -1.25, d),
  zeros: (be, d) => be.zeros([2, 2, 2], d),
  scalarFill: (be, d) => be.fill([], 7, d),
  neg: (be, d) => be.unary('neg', t(be, [4, 3], d, 2)),
  exp: (be, d) => be.unary('exp', t(be, [4, 3], d, 3)),
  log: (be, d) => be.unary('log', t(be, [4, 3], d, 4, 0.1, 5)),
  tanh: (be, d) => be.unary('tanh', t(be, [4, 3], d, 5)),
  sin: (be, d) => be.unary('sin', t(be, [4, 3], d, 6, -6, 6)),
  cos: (be, d) => be.unary('cos', t(be, [4, 3], d, 7, -6, 6)),
  sqrt: (be, d) => be.unary('sqrt', t(be, [4, 3], d, 8, 0, 9)),
  square: (be, d) => be.unary('square', t(be, [4, 3], d, 9)),
  abs: (be, d) => be.unary('abs', t(be, [4, 3], d, 10)),
  sign: (be, d) => be.unary('sign', be.fromArray([-2, 0, 3, -0.5], [4], d)),
  reciprocal: (be, d) => be.unary('reciprocal', t(be, [4, 3], d, 11, 0.5, 3)),
  add: (be, d) => be.binary('add', t(be, [2, 3], d, 12), t(be, [3], d, 13)),
  sub: (be, d) => be.binary('sub', t(be, [2, 1], d, 14), t(be, [1, 3], d, 15)),
  mul: (be, d) => be.binary('mul', t(be, [2, 3, 4], d, 16), t(be, [3, 1], d, 17)),
  div: (be, d) => be.binary('div', t(be, [3, 4], d, 18), t(be, [4], d, 19, 0.5, 2)),
  pow: (be, d) => be.binary('pow', t(be, [3, 4], d, 20, 0.1, 3), t(be, [3, 4], d, 21)),
  powIntegerExponentNegativeBase: (be, d) =>
    be.binary('pow', be.fromArray([-2, -1.5, 3], [3], d), be.fill([], 3, d)),
  maximum: (be, d) => be.binary('maximum', t(be, [3, 4], d, 22), t(be, [4], d, 23)),
  minimum: (be, d) => be.binary('minimum', t(be, [3, 4], d, 24), t(be, [3, 1], d, 25)),
  less: (be, d) => be.compare('less', t(be, [3, 4], d, 26), t(be, [4], d, 27)),
  lessEqual: (be, d) =>
    be.compare('lessEqual', be.fromArray([1, 2, 3], [3], d), be.fromArray([2, 2, 2], [3], d)),
  greater: (be, d) => be.compare('greater', t(be, [3, 4], d, 28), t(be, [3, 1], d, 29)),
  greaterEqual: (be, d) =>
    be.compare('greaterEqual', be.fromArray([1, 2, 3], [3], d), be.fromArray([2, 2, 2], [3], d)),
  equal: (be, d) =>
    be.compare('equal', be.fromArray([1, 2, 3, 2], [2, 2], d), be.fromArray([2, 2], [2], d)),
  where: (be, d) =>
    be.where(be.fromArray([1, 0, -3], [3, 1], d), t(be, [3, 4], d, 30), t(be, [4], d, 31)),
  castUp: (be, d) => be.cast(be.cast(t(be, [5], d, 32), 'float32'), d),
  matmul: (be, d) => be.matmul(t(be, [3, 4], d, 33), t(be, [4, 5], d, 34)),
  matmulTransposeA: (be, d) =>
    be.matmul(t(be, [4, 3], d, 35), t(be, [4, 5], d, 36), { transposeA: true }),
  matmulTransposeB: (be, d) =>
    be.matmul(t(be, [3, 4], d, 37), t(be, [5, 4], d, 38), { transposeB: true }),
  matmulBothBatched: (be, d) =>
    be.matmul(t(be, [2, 4, 3], d, 39), t(be, [5, 4], d, 40), {
      transposeA: true,
      transposeB: true,
    }),
  matmulBroadcastBatch: (be, d) => be.matmul(t(be, [2, 1, 3, 4], d, 41), t(be, [3, 4, 2], d, 42)),
  reshape: (be, d) => be.reshape(t(be, [2, 6], d, 43), [3, -1]),
  transposeDefault: (be, d) => be.transpose(t(be, [2, 3, 4], d, 44)),
  transposePerm: (be, d) => be.transpose(t(be, [2, 3, 4], d, 45), [1, 0, 2]),
  slice: (be, d) => be.slice(t(be, [4, 5], d, 46), [1, 2], [2, -1]),
  concat: (be, d) =>
    be.concat([t(be, [2, 1], d, 47), t(be, [2, 3], d, 48), t(be, [2, 2], d, 49)], 1),
  concatNegativeAxis: (be, d) => be.concat([t(be, [1, 3], d, 50), t(be, [2, 3], d, 51)], -2),
  gather: (be, d) => be.gather(t(be, [3, 4], d, 52), [3, 0, 3, 1], 1),
  scatterAddDistinct: (be, d) => be.scatterAdd(t(be, [3, 2], d, 53), [4, 0, 2], 0, 5),
  scatterAddRepeats: (be, d) => be.scatterAdd(t(be, [2, 5], d, 54), [1, 1, 0, 1, 3], 1, 4),
  scatterAddManyRepeats: (be, d) =>
    be.scatterAdd(t(be, [2, 7, 2], d, 55), [0, 0, 0, 0, 0, 0, 2], 1, 3),
  broadcastTo: (be, d) => be.broadcastTo(t(be, [3, 1], d, 56), [2, 3, 4]),
  sumAll: (be, d) => be.reduce('sum', t(be, [3, 4], d, 57)),
  sumAxisKeep: (be, d) => be.reduce('sum', t(be, [3, 4, 2], d, 58), [0, 2], true),
  meanAxis: (be, d) => be.reduce('mean', t(be, [3, 4], d, 59), [-1]),
  maxAxis: (be, d) => be.reduce('max', t(be, [3, 4], d, 60), [0]),
  maxAllKeep: (be, d) => be.reduce('max', t(be, [3, 4], d, 61), undefined, true),
  reduceNoAxes: (be, d) => be.reduce('sum', t(be, [3], d, 62), []),
  composite: (be, d) => {
    // A small MLP layer and loss: shares subexpressions, mixes most kernels.
    const x = t(be, [8, 2], d, 63);
    const w = t(be, [2, 5], d, 64);
    const b = t(be, [5], d, 65);
    const h = be.unary('tanh', be.binary('add', be.matmul(x, w), b));
    const y = be.matmul(h, be.transpose(w));
    return be.reduce('mean', be.unary('square', be.binary('sub', y, x)));
  },
};

describe.each(['float64', 'float32'] as const)(
  '%s kernels match the reference backend',
  (dtype) => {
    test.each(Object.keys(cases))('%s', async (name) => {
      await expectSame(cases[name], dtype);
    });
  },
);

test('broadcasting binary ops match the reference on random shapes (property)', async () => {
  const dim = fc.integer({ min: 1, max: 3 });
  await fc.assert(
    fc.asyncProperty(
      fc.array(dim, { minLength: 0, maxLength: 3 }),
      fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
      fc.constantFrom('add', 'sub', 'mul', 'maximum', 'minimum') as fc.Arbitrary<
        'add' | 'sub' | 'mul' | 'maximum' | 'minimum'
      >,
      fc.integer({ min: 1, max: 1000 }),
      async (shape, ones, op, seed) => {
        // b drops leading axes and sets some axes to 1, so it broadcasts against a.
        const bShape = shape.slice(1).map((d, i) => (ones[i] ? 1 : d));
        await expectSame(
          (be, d) => be.binary(op, t(be, shape, d, seed), t(be, bShape, d, seed + 1)),
          'float64',
        );
      },
    ),
    { numRuns: 15 },
  );
});

test('zero-size tensors flow through matmul and reductions', async () => {
  await expectSame((be, d) => be.matmul(be.zeros([2, 0], d), be.zeros([0, 3], d)), 'float64');
  await expectSame((be, d) => be.reduce('sum', be.zeros([0, 3], d), [0]), 'float64');
});
