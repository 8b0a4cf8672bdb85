import fc from 'fast-check';
import {
  broadcastPairArb,
  naiveBroadcast,
  shapeArb,
  size,
  unravel,
} from './test-utils/naive.test-utils';
import { TensorError } from './errors';
import {
  broadcastShapes,
  broadcastStrides,
  broadcastsTo,
  isFusibleOperand,
  normalizeAxes,
  shapesEqual,
  sizeOf,
  stridesOf,
} from './shape';

describe('shape utilities', () => {
  it('sizeOf and stridesOf agree with row-major flat positions', () => {
    fc.assert(
      fc.property(shapeArb(5, 5), (shape) => {
        expect(sizeOf(shape)).toBe(size(shape));
        const strides = stridesOf(shape);
        for (let i = 0; i < size(shape); i++) {
          expect(unravel(i, shape).reduce((s, v, a) => s + v * strides[a], 0)).toBe(i);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('broadcastShapes is the numpy rule and is symmetric', () => {
    fc.assert(
      fc.property(broadcastPairArb, ([a, b]) => {
        expect(broadcastShapes(a, b)).toEqual(naiveBroadcast(a, b));
        expect(shapesEqual(broadcastShapes(a, b), broadcastShapes(b, a))).toBe(true);
      }),
      { numRuns: 100 },
    );
    expect(() => broadcastShapes([2, 3], [4, 3], 'mul')).toThrow(
      'mul: shapes do not broadcast: [2,3] and [4,3] (2 != 4 at output axis 0)',
    );
    expect(() => broadcastShapes([0], [2])).toThrow(TensorError);
    expect(broadcastShapes([0], [1])).toEqual([0]);
  });

  it('broadcastsTo and isFusibleOperand: the numpy broadcast leaves the target shape as it is', () => {
    // small dims so that many pairs broadcast
    const pair = fc.tuple(shapeArb(4, 2), shapeArb(4, 2));
    fc.assert(
      fc.property(pair, ([from, to]) => {
        const out = naiveBroadcast(from, to);
        const keeps = out !== null && shapesEqual(out.slice(out.length - to.length), to);
        const lead = out === null ? [] : out.slice(0, out.length - to.length);
        expect(broadcastsTo(from, to)).toBe(keeps && from.length <= to.length);
        expect(isFusibleOperand(from, to)).toBe(keeps && lead.every((d) => d === 1));
      }),
      { numRuns: 300 },
    );
    expect(broadcastsTo([1, 1], [3])).toBe(false);
    expect(isFusibleOperand([1, 1], [3])).toBe(true);
  });

  it('broadcastStrides zeroes repeated axes', () => {
    expect(broadcastStrides([3, 1], [2, 3, 4])).toEqual([0, 1, 0]);
    expect(broadcastStrides([], [2, 2])).toEqual([0, 0]);
  });

  it('normalizeAxes resolves negatives and sorts', () => {
    expect(normalizeAxes([-1, 0], 3, 'sum')).toEqual([0, 2]);
    expect(normalizeAxes(undefined, 2, 'sum')).toEqual([0, 1]);
    expect(() => normalizeAxes([0.5], 2, 'sum')).toThrow(
      'sum: axis 0.5 is out of range for rank 2; use -2 <= axis < 2',
    );
  });
});
