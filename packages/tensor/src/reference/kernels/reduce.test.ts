import fc from 'fast-check';
import type { DType, ReduceOp } from '../../backend';
import { randomData, ravel, shapeArb, size, unravel } from '../../test-utils/naive.test-utils';
import { referenceBackend as B } from '../register-all-kernels';

/** Reduction by grouping every input element under its output multi-index. */
function naiveReduce(
  op: ReduceOp,
  data: number[],
  shape: number[],
  axes: number[],
): { out: number[]; abs: number[] } {
  const keptShape = shape.filter((_, a) => !axes.includes(a));
  const groups: number[][] = Array.from({ length: size(keptShape) }, () => []);
  data.forEach((v, i) => {
    const kept = unravel(i, shape).filter((_, a) => !axes.includes(a));
    groups[ravel(kept, keptShape)].push(v);
  });
  const out = groups.map((g) => {
    if (op === 'max')
      return g.reduce(
        (m, v) => (Number.isNaN(m) || Number.isNaN(v) ? NaN : v > m ? v : m),
        -Infinity,
      );
    const s = g.reduce((x, v) => x + v, 0);
    return op === 'sum' ? s : s / g.length;
  });
  const abs = groups.map(
    (g) => g.reduce((x, v) => x + Math.abs(v), 0) / (op === 'mean' ? g.length || 1 : 1),
  );
  return { out, abs };
}

describe('reduce', () => {
  const arb = shapeArb(4, 5).chain((shape) =>
    fc.tuple(
      fc.constant(shape),
      fc.option(fc.subarray(shape.map((_, a) => a)), { nil: undefined }),
      fc.boolean(),
      fc.constantFrom<ReduceOp>('sum', 'mean', 'max'),
      fc.constantFrom<DType>('float64', 'float32'),
    ),
  );

  it('sum, mean, max over random axes with and without keepDims', () => {
    fc.assert(
      fc.property(
        arb,
        fc.integer(),
        fc.boolean(),
        ([shape, axes, keepDims, op, dtype], seed, negativeAxes) => {
          const data = randomData(seed, size(shape)).map(Math.fround);
          const all = axes ?? shape.map((_, a) => a);
          // Negative axes must mean the same as their positive counterparts.
          const given = axes && negativeAxes ? axes.map((a) => a - shape.length).reverse() : axes;
          const y = B.reduce(op, B.fromArray(data, shape, dtype), given, keepDims);
          expect(y.shape).toEqual(
            keepDims
              ? shape.map((d, a) => (all.includes(a) ? 1 : d))
              : shape.filter((_, a) => !all.includes(a)),
          );
          const { out, abs } = naiveReduce(op, data, shape, all);
          const got = B.readSync(y);
          const eps = dtype === 'float64' ? 1e-14 : 2 ** -23;
          out.forEach((e, i) => {
            if (Number.isNaN(e)) expect(got[i]).toBeNaN();
            else if (e === -Infinity) expect(got[i]).toBe(-Infinity);
            else expect(Math.abs(got[i] - e)).toBeLessThanOrEqual(eps * (abs[i] + Math.abs(e)));
          });
        },
      ),
      { numRuns: 150 },
    );
  });

  it('column sums (the bias-gradient shape) and middle-axis sums on larger inputs', () => {
    const shape = [50, 7, 33];
    const data = randomData(4, size(shape));
    for (const axes of [[0], [1], [0, 2], [2], [0, 1]]) {
      const got = B.readSync(B.reduce('sum', B.fromArray(data, shape, 'float64'), axes));
      const { out, abs } = naiveReduce('sum', data, shape, axes);
      out.forEach((e, i) => expect(Math.abs(got[i] - e)).toBeLessThanOrEqual(1e-14 * abs[i]));
    }
  });

  it('max propagates NaN; empty reductions give 0, NaN, -Infinity', () => {
    const x = B.fromArray([1, NaN, 3, 4, 5, 6], [2, 3], 'float64');
    const m = B.readSync(B.reduce('max', x, [1]));
    expect(m[0]).toBeNaN();
    expect(m[1]).toBe(6);
    const e = B.zeros([0, 2], 'float64');
    expect(Array.from(B.readSync(B.reduce('sum', e, [0])))).toEqual([0, 0]);
    expect(B.readSync(B.reduce('mean', e, [0]))[0]).toBeNaN();
    expect(B.readSync(B.reduce('max', e))[0]).toBe(-Infinity);
  });

  it('rejects repeated or out-of-range axes', () => {
    const x = B.zeros([2, 3], 'float64');
    expect(() => B.reduce('sum', x, [1, -1])).toThrow(
      'sum: axis 1 appears twice in [1,-1]; list each axis once',
    );
    expect(() => B.reduce('mean', x, [2])).toThrow(
      'mean: axis 2 is out of range for rank 2; use -2 <= axis < 2',
    );
  });
});
