import fc from 'fast-check';
import type { DType } from '../../backend';
import {
  expectClose,
  naiveTranspose,
  randomData,
  ravel,
  shapeArb,
  size,
  unravel,
} from '../../test-utils/naive.test-utils';
import { referenceBackend as B } from '../register-all-kernels';
import { collapsePermutation } from './transpose';

const RUNS = { numRuns: 80 };

const permArb = (rank: number) =>
  fc.shuffledSubarray(
    Array.from({ length: rank }, (_, i) => i),
    { minLength: rank, maxLength: rank },
  );

describe('reshape', () => {
  it('keeps the data and infers one -1', () => {
    const x = B.fromArray([1, 2, 3, 4, 5, 6], [2, 3], 'float64');
    const y = B.reshape(x, [3, -1]);
    expect(y.shape).toEqual([3, 2]);
    expectClose(B.readSync(y), [1, 2, 3, 4, 5, 6]);
    expect(B.reshape(B.zeros([0, 3], 'float64'), [3, 0]).shape).toEqual([3, 0]);
    expect(B.reshape(B.fill([], 7, 'float32'), [1, 1]).shape).toEqual([1, 1]);
  });

  it('rejects size changes, two -1s and impossible inference', () => {
    const x = B.zeros([2, 3], 'float64');
    expect(() => B.reshape(x, [4, 2])).toThrow(
      'reshape: cannot reshape [2,3] float64 (6 elements) to [4,2] (8 elements)',
    );
    expect(() => B.reshape(x, [-1, -1])).toThrow(
      'reshape: [2,3] float64 to [-1,-1]: at most one dimension may be -1',
    );
    expect(() => B.reshape(x, [4, -1])).toThrow(
      'reshape: cannot infer -1 in [4,-1] for [2,3] float64 (6 elements)',
    );
  });
});

describe('transpose', () => {
  it('equals the multi-index definition for random permutations', () => {
    const arb = shapeArb(5, 4).chain((s) => fc.tuple(fc.constant(s), permArb(s.length)));
    fc.assert(
      fc.property(
        arb,
        fc.integer(),
        fc.constantFrom<DType>('float64', 'float32'),
        ([shape, perm], seed, dtype) => {
          const data = randomData(seed, size(shape)).map(Math.fround);
          const y = B.transpose(B.fromArray(data, shape, dtype), perm);
          expect(y.shape).toEqual(perm.map((a) => shape[a]));
          expectClose(B.readSync(y), naiveTranspose(data, shape, perm));
        },
      ),
      RUNS,
    );
  });

  it('covers the tiled 2-D and batched paths on sizes past one tile', () => {
    for (const [shape, perm] of [
      [
        [70, 45],
        [1, 0],
      ],
      [
        [3, 33, 65],
        [0, 2, 1],
      ],
      [
        [5, 40, 1, 37],
        [3, 2, 0, 1],
      ],
    ] as [number[], number[]][]) {
      const data = randomData(9, size(shape));
      expectClose(
        B.readSync(B.transpose(B.fromArray(data, shape, 'float64'), perm)),
        naiveTranspose(data, shape, perm),
      );
    }
    expect(B.transpose(B.zeros([2, 3, 4], 'float64')).shape).toEqual([4, 3, 2]);
  });

  it('collapses size-1 axes and axes that stay adjacent', () => {
    expect(collapsePermutation([2, 3, 4, 5], [2, 3, 0, 1])).toEqual({
      shape: [6, 20],
      perm: [1, 0],
    });
    expect(collapsePermutation([2, 1, 3], [1, 0, 2])).toEqual({ shape: [6], perm: [0] });
  });

  it('rejects a perm that is not a permutation', () => {
    expect(() => B.transpose(B.zeros([2, 3], 'float64'), [0, 0])).toThrow(
      'transpose: perm [0,0] is not a permutation of the 2 axes of [2,3] float64',
    );
  });
});

describe('slice', () => {
  it('equals the box of the multi-index definition', () => {
    const arb = shapeArb().chain((shape) =>
      fc.tuple(
        fc.constant(shape),
        fc.tuple(
          ...shape.map((d) =>
            fc
              .integer({ min: 0, max: d })
              .chain((b) => fc.tuple(fc.constant(b), fc.integer({ min: -1, max: d - b }))),
          ),
        ),
      ),
    );
    fc.assert(
      fc.property(arb, fc.integer(), ([shape, ranges], seed) => {
        const data = randomData(seed, size(shape));
        const begin = ranges.map((r) => r[0]),
          sz = ranges.map((r) => r[1]);
        const outShape = sz.map((s, a) => (s === -1 ? shape[a] - begin[a] : s));
        const y = B.slice(B.fromArray(data, shape, 'float64'), begin, sz);
        expect(y.shape).toEqual(outShape);
        const truth = Array.from(
          { length: size(outShape) },
          (_, i) =>
            data[
              ravel(
                unravel(i, outShape).map((v, a) => v + begin[a]),
                shape,
              )
            ],
        );
        expectClose(B.readSync(y), truth);
      }),
      RUNS,
    );
  });

  it('rejects out-of-range boxes with the shape', () => {
    expect(() => B.slice(B.zeros([4, 5], 'float64'), [1, 3], [2, 3])).toThrow(
      'slice: begin [1,3], size [2,3] for [4,5] float64: axis 1 range [3, 6) is outside [0, 5]',
    );
    expect(() => B.slice(B.zeros([4, 5], 'float64'), [1], [2])).toThrow(
      /^slice: .* one entry per axis \(2\)$/,
    );
  });
});

describe('concat', () => {
  it('equals placing the parts side by side along the axis', () => {
    const arb = fc
      .tuple(
        shapeArb(3, 3).filter((s) => s.length > 0),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 }),
      )
      .chain(([shape, lens]) =>
        fc.tuple(
          fc.constant(shape),
          fc.constant(lens),
          fc.integer({ min: 0, max: shape.length - 1 }),
        ),
      );
    fc.assert(
      fc.property(arb, fc.integer(), ([shape, lens, axis], seed) => {
        const shapes = lens.map((l) => shape.map((d, a) => (a === axis ? l : d)));
        const parts = shapes.map((s, i) => randomData(seed + i, size(s)));
        const y = B.concat(
          parts.map((p, i) => B.fromArray(p, shapes[i], 'float64')),
          axis - shape.length,
        );
        const outShape = shape.map((d, a) => (a === axis ? lens.reduce((x, z) => x + z, 0) : d));
        expect(y.shape).toEqual(outShape);
        const truth = Array.from({ length: size(outShape) }, (_, i) => {
          const idx = unravel(i, outShape);
          let part = 0;
          while (idx[axis] >= lens[part]) idx[axis] -= lens[part++];
          return parts[part][ravel(idx, shapes[part])];
        });
        expectClose(B.readSync(y), truth);
      }),
      RUNS,
    );
  });

  it('rejects parts that differ off the axis', () => {
    expect(() => B.concat([B.zeros([2, 3], 'float64'), B.zeros([3, 3], 'float64')], 1)).toThrow(
      'concat: shapes differ off axis 1: [2,3] and [3,3]',
    );
    expect(() => B.concat([], 0)).toThrow('concat: needs at least one tensor');
  });
});

describe('gather and scatterAdd', () => {
  const arb = shapeArb(3, 4)
    .filter((s) => s.length > 0)
    .chain((shape) =>
      fc.integer({ min: 0, max: shape.length - 1 }).map((axis) => [shape, axis] as const),
    )
    .chain(([shape, axis]) =>
      fc.tuple(
        fc.constant(shape),
        fc.constant(axis),
        shape[axis] === 0
          ? fc.constant([] as number[])
          : fc.array(fc.integer({ min: 0, max: shape[axis] - 1 }), { maxLength: 6 }),
      ),
    );

  it('gather picks slices (repeats allowed)', () => {
    fc.assert(
      fc.property(arb, fc.integer(), ([shape, axis, indices], seed) => {
        const data = randomData(seed, size(shape));
        const y = B.gather(B.fromArray(data, shape, 'float64'), indices, axis);
        const outShape = shape.map((d, a) => (a === axis ? indices.length : d));
        expect(y.shape).toEqual(outShape);
        const truth = Array.from({ length: size(outShape) }, (_, i) => {
          const idx = unravel(i, outShape);
          idx[axis] = indices[idx[axis]];
          return data[ravel(idx, shape)];
        });
        expectClose(B.readSync(y), truth);
      }),
      RUNS,
    );
  });

  it('scatterAdd is the adjoint of gather: <gather(x), u> = <x, scatterAdd(u)>', () => {
    fc.assert(
      fc.property(arb, fc.integer(), ([shape, axis, indices], seed) => {
        const x = randomData(seed, size(shape));
        const uShape = shape.map((d, a) => (a === axis ? indices.length : d));
        const u = randomData(seed + 1, size(uShape));
        const gx = B.readSync(B.gather(B.fromArray(x, shape, 'float64'), indices, axis));
        const su = B.scatterAdd(B.fromArray(u, uShape, 'float64'), indices, axis, shape[axis]);
        expect(su.shape).toEqual(shape);
        const sud = B.readSync(su);
        const lhs = u.reduce((s, v, i) => s + v * gx[i], 0);
        const rhs = x.reduce((s, v, i) => s + v * sud[i], 0);
        expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(lhs)));
        // And directly: every update lands on its index.
        const truth = new Array<number>(size(shape)).fill(0);
        for (let i = 0; i < u.length; i++) {
          const idx = unravel(i, uShape);
          idx[axis] = indices[idx[axis]];
          truth[ravel(idx, shape)] += u[i];
        }
        expectClose(sud, truth, 1e-15);
      }),
      RUNS,
    );
  });

  it('rejects indices out of range and count mismatches', () => {
    const x = B.zeros([3, 2], 'float64');
    expect(() => B.gather(x, [0, 3], 0)).toThrow(
      'gather: index 3 at position 1 is outside [0, 3) (axis 0 of [3,2] float64)',
    );
    expect(() => B.gather(x, [0], 2)).toThrow(
      'gather: axis 2 is out of range for rank 2; use -2 <= axis < 2',
    );
    expect(() => B.scatterAdd(x, [0, 1], 0, 5)).toThrow(
      'scatterAdd: updates [3,2] float64 has 3 slices on axis 0 but 2 indices were given',
    );
    expect(() => B.scatterAdd(x, [0, 1, 5], 0, 5)).toThrow(
      'scatterAdd: index 5 at position 2 is outside [0, 5) (axisSize 5)',
    );
  });
});
