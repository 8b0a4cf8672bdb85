import fc from 'fast-check';
import type { BinaryOp, CompareOp, DType, UnaryOp } from '../../backend';
import {
  broadcastPairArb,
  broadcastPartnerArb,
  expectClose,
  naiveElementwise,
  randomData,
  shapeArb,
  size,
} from '../../test-utils/naive.test-utils';
import { referenceBackend as B } from '../register-all-kernels';
import { unaryImpl } from './unary';
import { BINARY_OPS, COMPARE_OPS, UNARY_OPS } from '../../backend';

const RUNS = { numRuns: 60 };
const DTYPES: DType[] = ['float64', 'float32'];

/**
 * Values as the dtype stores them. Kernels compute in float64 and round once,
 * so a float32 result must equal `stored(truth)` exactly.
 */
function stored(values: number[], dtype: DType): number[] {
  return dtype === 'float32' ? values.map(Math.fround) : values;
}

const unaryTruth: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => 0 - x,
  exp: Math.exp,
  log: Math.log,
  tanh: Math.tanh,
  sin: Math.sin,
  cos: Math.cos,
  sqrt: Math.sqrt,
  square: (x) => x * x,
  abs: (x) => (x < 0 ? -x : x),
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : x),
  reciprocal: (x) => 1 / x,
};

const binaryTruth: Record<BinaryOp, (x: number, y: number) => number> = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  div: (x, y) => x / y,
  pow: (x, y) => x ** y,
  maximum: (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : x > y ? x : y),
  minimum: (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : x < y ? x : y),
};

const compareTruth: Record<CompareOp, (x: number, y: number) => boolean> = {
  less: (x, y) => x < y,
  lessEqual: (x, y) => !(x > y) && !Number.isNaN(x) && !Number.isNaN(y),
  greater: (x, y) => y < x,
  greaterEqual: (x, y) => !(x < y) && !Number.isNaN(x) && !Number.isNaN(y),
  equal: (x, y) => !(x < y) && !(x > y) && !Number.isNaN(x) && !Number.isNaN(y),
};

describe('unary', () => {
  it('unaryImpl matches the scalar definition, including NaN for log/sqrt of negatives', () => {
    const x = Float64Array.from([-2, -0.5, 0, 0.25, 1, 3, NaN, Infinity]);
    for (const op of UNARY_OPS) {
      const out = new Float64Array(x.length);
      unaryImpl(op, x, out);
      expectClose(out, Array.from(x, unaryTruth[op]));
    }
  });

  it.each(DTYPES)('every op on random shapes (%s)', (dtype) => {
    fc.assert(
      fc.property(shapeArb(), fc.integer(), (shape, seed) => {
        const data = stored(randomData(seed, size(shape)), dtype);
        const x = B.fromArray(data, shape, dtype);
        for (const op of UNARY_OPS) {
          const y = B.unary(op, x);
          expect(y.shape).toEqual(shape);
          expect(y.dtype).toBe(dtype);
          expectClose(B.readSync(y), stored(data.map(unaryTruth[op]), dtype));
        }
      }),
      RUNS,
    );
  });
});

describe('binary and compare with broadcasting', () => {
  it.each(DTYPES)('every op equals the index-by-index broadcast (%s)', (dtype) => {
    fc.assert(
      fc.property(broadcastPairArb, fc.integer(), ([sa, sb], seed) => {
        const da = stored(randomData(seed, size(sa)), dtype);
        // Rounded halves make exact ties frequent, so equal/lessEqual see both outcomes.
        const db = stored(
          randomData(seed + 1, size(sb)).map((v) => Math.round(v * 2) / 2),
          dtype,
        );
        const a = B.fromArray(da, sa, dtype),
          b = B.fromArray(db, sb, dtype);
        for (const op of BINARY_OPS) {
          const truth = naiveElementwise(
            [
              { data: da, shape: sa },
              { data: db, shape: sb },
            ],
            binaryTruth[op],
          );
          const y = B.binary(op, a, b);
          expect(y.shape).toEqual(truth.shape);
          expectClose(B.readSync(y), stored(truth.data, dtype));
        }
        for (const op of COMPARE_OPS) {
          const truth = naiveElementwise(
            [
              { data: da, shape: sa },
              { data: db, shape: sb },
            ],
            (x, y) => (compareTruth[op](x, y) ? 1 : 0),
          );
          const y = B.compare(op, a, b);
          expect(y.shape).toEqual(truth.shape);
          expect(y.dtype).toBe(dtype);
          expectClose(B.readSync(y), truth.data);
        }
      }),
      RUNS,
    );
  });

  it('row, column and scalar broadcasts on larger matrices (the fast paths)', () => {
    const m = 37,
      n = 53;
    const a = randomData(1, m * n),
      row = randomData(2, n),
      col = randomData(3, m),
      s = [0.75];
    const A = B.fromArray(a, [m, n], 'float64');
    const cases: [number[], number[]][] = [
      [row, [n]],
      [row, [1, n]],
      [col, [m, 1]],
      [s, []],
      [s, [1, 1]],
    ];
    for (const [data, shape] of cases) {
      const truth = naiveElementwise(
        [
          { data: a, shape: [m, n] },
          { data, shape },
        ],
        (x, y) => x * y - y,
      );
      const other = B.fromArray(data, shape, 'float64');
      const y = B.binary('sub', B.binary('mul', A, other), other);
      expectClose(B.readSync(y), truth.data);
      const flipped = naiveElementwise(
        [
          { data, shape },
          { data: a, shape: [m, n] },
        ],
        (x, y) => x / y,
      );
      expectClose(B.readSync(B.binary('div', other, A)), flipped.data);
    }
  });

  it('rejects shapes that do not broadcast, naming op and shapes', () => {
    const a = B.zeros([3, 4], 'float64'),
      b = B.zeros([5], 'float64');
    expect(() => B.binary('add', a, b)).toThrow(
      'add: shapes do not broadcast: [3,4] and [5] (4 != 5 at output axis 1)',
    );
    expect(() => B.compare('less', a, b)).toThrow(/^less: shapes do not broadcast/);
  });

  it('rejects mixed dtypes instead of casting', () => {
    const a = B.zeros([2], 'float64'),
      b = B.zeros([2], 'float32');
    expect(() => B.binary('mul', a, b)).toThrow(
      'mul: dtypes differ: [2] float64 and [2] float32; cast one with cast()',
    );
  });

  it('rejects unknown ops', () => {
    const a = B.zeros([2], 'float64');
    expect(() => B.binary('hypot' as BinaryOp, a, a)).toThrow("binary: unknown op 'hypot'");
    expect(() => B.unary('erf' as UnaryOp, a)).toThrow("unary: unknown op 'erf'");
  });
});

describe('where', () => {
  it.each(DTYPES)('selects with three-way broadcasting (%s)', (dtype) => {
    const triple = shapeArb().chain((s) =>
      fc.tuple(fc.constant(s), broadcastPartnerArb(s), broadcastPartnerArb(s)),
    );
    fc.assert(
      fc.property(
        triple,
        fc.integer(),
        fc.constantFrom<DType>('float64', 'float32'),
        ([sa, sc, sb], seed, condType) => {
          const dc = randomData(seed, size(sc)).map((v) => (v > 0 ? 1 : 0));
          const da = stored(randomData(seed + 1, size(sa)), dtype),
            db = stored(randomData(seed + 2, size(sb)), dtype);
          const truth = naiveElementwise(
            [
              { data: dc, shape: sc },
              { data: da, shape: sa },
              { data: db, shape: sb },
            ],
            (c, x, y) => (c !== 0 ? x : y),
          );
          const y = B.where(
            B.fromArray(dc, sc, condType),
            B.fromArray(da, sa, dtype),
            B.fromArray(db, sb, dtype),
          );
          expect(y.shape).toEqual(truth.shape);
          expectClose(B.readSync(y), truth.data);
        },
      ),
      RUNS,
    );
  });
});

describe('broadcastTo', () => {
  it('equals reading every output index through the broadcast rule', () => {
    const pair = shapeArb().chain((s) => fc.tuple(fc.constant(s), broadcastPartnerArb(s)));
    fc.assert(
      fc.property(pair, fc.integer(), ([target, xShape], seed) => {
        fc.pre(xShape.length <= target.length);
        const data = randomData(seed, size(xShape));
        const y = B.broadcastTo(B.fromArray(data, xShape, 'float64'), target);
        expect(y.shape).toEqual(target);
        expectClose(
          B.readSync(y),
          naiveElementwise(
            [
              { data, shape: xShape },
              { data: [], shape: target },
            ],
            (x) => x,
          ).data,
        );
      }),
      RUNS,
    );
  });

  it('rejects a target that would change a non-1 dimension or drop axes', () => {
    expect(() => B.broadcastTo(B.zeros([3, 2], 'float64'), [3, 3])).toThrow(
      'broadcastTo: cannot broadcast [3,2] float64 to [3,3]',
    );
    expect(() => B.broadcastTo(B.zeros([1, 2], 'float64'), [2])).toThrow(
      /^broadcastTo: cannot broadcast/,
    );
  });
});

describe('cast', () => {
  it('rounds to nearest float32 and widens exactly', () => {
    fc.assert(
      fc.property(shapeArb(), fc.integer(), (shape, seed) => {
        const data = randomData(seed, size(shape), 1e3);
        const x32 = B.cast(B.fromArray(data, shape, 'float64'), 'float32');
        expect(x32.dtype).toBe('float32');
        expectClose(B.readSync(x32), data.map(Math.fround));
        const back = B.readSync(B.cast(x32, 'float64'));
        expect(back).toBeInstanceOf(Float64Array);
        expectClose(back, data.map(Math.fround));
      }),
      RUNS,
    );
  });
});
