import fc from 'fast-check';
import {
  assertFiniteSymmetricScan,
  assertSymmetric,
  InputError,
  SYMMETRIC_TILE,
  toFloat64Matrix,
} from './host';

/** Independent truth: the row-major scan assertSymmetric replaced, returning its message. */
function naiveSymmetryError(data: ArrayLike<number>, size: number, tol: number): string | null {
  let scale = 0;
  for (let k = 0; k < data.length; k++) scale = Math.max(scale, Math.abs(data[k]));
  for (let i = 0; i < size; i++) {
    for (let j = i + 1; j < size; j++) {
      const a = data[i * size + j],
        b = data[j * size + i];
      if (Math.abs(a - b) > tol * scale) {
        return `h: is not symmetric: entry (${i}, ${j}) = ${a} but (${j}, ${i}) = ${b}; pass (H + H^T) / 2 if the asymmetry is round-off`;
      }
    }
  }
  return null;
}

function symmetryError(data: ArrayLike<number>, size: number, tol?: number): string | null {
  try {
    assertSymmetric('h', { data, size }, tol);
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
}

/** A symmetric matrix with a few perturbed entries, sizes that span several tiles. */
const perturbed = fc
  .record({
    size: fc.integer({ min: 0, max: 2 * SYMMETRIC_TILE + 5 }),
    seedValues: fc.array(fc.double({ min: -4, max: 4, noNaN: true }), {
      minLength: 1,
      maxLength: 20,
    }),
    edits: fc.array(
      fc.record({
        at: fc.nat(),
        delta: fc.oneof(fc.constant(1e-12), fc.constant(1e-3), fc.double({ min: -5, max: 5 })),
      }),
      { maxLength: 4 },
    ),
    tol: fc.constantFrom(1e-8, 1e-4, 0, -1),
  })
  .map(({ size, seedValues, edits, tol }) => {
    const data = new Float64Array(size * size);
    for (let i = 0; i < size; i++) {
      for (let j = i; j < size; j++) {
        const v = seedValues[(i * 31 + j * 17) % seedValues.length];
        data[i * size + j] = v;
        data[j * size + i] = v;
      }
    }
    if (size > 0) for (const { at, delta } of edits) data[at % data.length] += delta;
    return { data, size, tol };
  });

describe('assertSymmetric (tiled)', () => {
  it('throws exactly when the row-major scan does, naming the same first pair', () => {
    fc.assert(
      fc.property(perturbed, ({ data, size, tol }) => {
        expect(symmetryError(data, size, tol)).toBe(naiveSymmetryError(data, size, tol));
      }),
      { numRuns: 120 },
    );
  });

  it('reports the first pair in row-major order even when a later tile is worse', () => {
    const size = 3 * SYMMETRIC_TILE;
    const data = new Float64Array(size * size);
    data[(size - 1) * size + 2] = 100; // (size - 1, 2): the largest asymmetry, in the last tile
    data[5 * size + (size - 3)] = 0.5; // (5, size - 3): smaller, but first in row-major order
    expect(symmetryError(data, size)).toBe(naiveSymmetryError(data, size, 1e-8));
    expect(symmetryError(data, size)).toMatch(/^h: is not symmetric: entry \(2, 191\)/);
  });

  it('treats non-finite entries as the row-major scan does (scale not finite: no violation)', () => {
    const cases: [number[], number][] = [
      [[1, NaN, 0, 1], 2],
      [[1, 5, 0, 1, 2, 3, 4, NaN, 1], 3],
      [[Infinity, 1, 2, 3], 2],
      [[1, Infinity, Infinity, 1], 2],
      [[1, 1.7e308, -1.7e308, 1], 2], // finite entries whose difference overflows: a violation
    ];
    for (const [data, size] of cases) {
      expect(symmetryError(data, size)).toBe(naiveSymmetryError(data, size, 1e-8));
    }
  });
});

/** An independent scan: the fields the tiled kernels accumulate, entry by entry. */
function naiveScan(data: ArrayLike<number>, size: number) {
  let maxAsymmetry = -Infinity;
  let sumOfSquares = 0;
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      sumOfSquares += data[i * size + j] ** 2;
      if (i < j) {
        maxAsymmetry = Math.max(maxAsymmetry, Math.abs(data[i * size + j] - data[j * size + i]));
      }
    }
  }
  return { maxAsymmetry, sumOfSquares };
}

describe('symmetry tolerance', () => {
  // the same matrix at 1e-9 and at 1: relative means both are refused
  const small = [2e-9, -2e-9, 2e-9, 2e-9];
  const unit = small.map((v) => v * 1e9);

  it('is relative to max |m_ij| below magnitude 1 too (assertSymmetric)', () => {
    expect(symmetryError(unit, 2)).toMatch(/^h: is not symmetric: entry \(0, 1\)/);
    expect(symmetryError(small, 2)).toBe(
      'h: is not symmetric: entry (0, 1) = -2e-9 but (1, 0) = 2e-9; pass (H + H^T) / 2 if the asymmetry is round-off',
    );
    // within 1e-8 relative of tiny entries still passes, as do exact symmetry and all zeros
    expect(symmetryError([1e-12, 1e-12 * (1 + 1e-10), 1e-12, 1e-12], 2)).toBeNull();
    expect(symmetryError([1e-300, 5e-301, 5e-301, 0], 2)).toBeNull();
    expect(symmetryError([0, 0, 0, 0], 2)).toBeNull();
    expect(symmetryError([0, 0, 0, 0], 2, 0)).toBeNull();
  });

  it('is relative to max |m_ij| below magnitude 1 too (assertFiniteSymmetricScan)', () => {
    const check = (data: number[]) => () =>
      assertFiniteSymmetricScan('h', { data, size: 2 }, naiveScan(data, 2));
    expect(check(small)).toThrow(/^h: is not symmetric: entry \(0, 1\) = -2e-9/);
    expect(check(unit)).toThrow(/^h: is not symmetric: entry \(0, 1\) = -2/);
    expect(check([1e-12, 1e-12 * (1 + 1e-10), 1e-12, 1e-12])).not.toThrow();
    expect(check([0, 0, 0, 0])).not.toThrow();
  });
});

describe('toFloat64Matrix', () => {
  it('with { copy: false } validates a Float64Array in place and returns it', () => {
    const data = Float64Array.of(1, 2, 3, 4);
    const m = toFloat64Matrix('h', { data, size: 2 }, 2, { copy: false });
    expect(m.data).toBe(data);
    expect(m.size).toBe(2);
    // the default copies
    const copied = toFloat64Matrix('h', { data, size: 2 });
    expect(copied.data).not.toBe(data);
    expect(Array.from(copied.data)).toEqual(Array.from(data));
    // rows and float32 data are copied either way
    const f32 = Float32Array.of(1, 2, 3, 4);
    expect(toFloat64Matrix('h', { data: f32, size: 2 }, 2, { copy: false }).data).toBeInstanceOf(
      Float64Array,
    );
  });

  it('names a string size with its quotes, so "2" is not mistaken for 2', () => {
    const bad = (size: unknown) => () =>
      toFloat64Matrix('h', { data: [1, 0, 0, 1], size } as unknown as {
        data: number[];
        size: number;
      });
    expect(bad('2')).toThrow(
      'h: size "2" is not a non-negative integer; pass the row count as a number',
    );
    expect(bad(2.5)).toThrow('h: size 2.5 is not a non-negative integer');
    expect(bad(-1)).toThrow('h: size -1 is not a non-negative integer');
  });

  it('no-copy and copy paths agree on values and on every error', () => {
    const entry = fc.oneof(
      { weight: 8, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) },
      { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity) },
    );
    const outcome = (f: () => { data: Float64Array }): string | number[] => {
      try {
        return Array.from(f().data);
      } catch (error) {
        return (error as Error).message;
      }
    };
    fc.assert(
      fc.property(
        fc
          .integer({ min: 0, max: 40 })
          .chain((n) =>
            fc.tuple(fc.constant(n), fc.array(entry, { minLength: n * n, maxLength: n * n })),
          ),
        ([n, values]) => {
          const data = Float64Array.from(values);
          const copy = outcome(() => toFloat64Matrix('h', { data, size: n }, n));
          const inPlace = outcome(() =>
            toFloat64Matrix('h', { data, size: n }, n, { copy: false }),
          );
          expect(inPlace).toEqual(copy);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('finds the first non-finite entry across scan blocks', () => {
    const size = 70; // 4900 entries: several blocks
    for (const at of [0, 1023, 1024, 1025, 4095, 4899]) {
      for (const bad of [NaN, Infinity, -Infinity]) {
        const data = new Float64Array(size * size).fill(0.5);
        data[at] = bad;
        if (at + 7 < data.length) data[at + 7] = NaN; // a later one must not be reported
        const i = Math.floor(at / size),
          j = at % size;
        expect(() => toFloat64Matrix('h', { data, size }, size, { copy: false })).toThrow(
          `h: entry (${i}, ${j}) is ${String(bad)}; every value must be a finite number`,
        );
      }
    }
  });
});

describe('assertFiniteSymmetricScan', () => {
  const outcome = (f: () => void): string => {
    try {
      f();
      return 'ok';
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      return (error as Error).message;
    }
  };

  it('raises what toFloat64Matrix then assertSymmetric raise, in that order', () => {
    const withNonFinite = perturbed.chain(({ data, size, tol }) =>
      fc
        .tuple(fc.nat(), fc.constantFrom(NaN, Infinity, -Infinity, 1e200), fc.boolean())
        .map(([at, bad, use]) => {
          const copy = Float64Array.from(data);
          if (use && size > 0) copy[at % copy.length] = bad;
          return { data: copy, size, tol };
        }),
    );
    fc.assert(
      fc.property(withNonFinite, ({ data, size, tol }) => {
        const m = { data, size };
        const separate = outcome(() => assertSymmetric('h', toFloat64Matrix('h', m, size), tol));
        const unchecked = toFloat64Matrix('h', m, size, { copy: false, checkFinite: false });
        expect(unchecked.data).toBe(data);
        const fused = outcome(() =>
          assertFiniteSymmetricScan('h', unchecked, naiveScan(data, size), tol),
        );
        expect(fused).toBe(separate);
      }),
      { numRuns: 120 },
    );
  });
});
