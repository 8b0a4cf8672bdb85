import fc from 'fast-check';
import { InputError, SYMMETRIC_TILE } from '@sublora/tensor';
import {
  createQuadraticObjective,
  createQuadraticObjectiveFromRows,
  createQuadraticObjectiveFromValidated,
  quadraticValue,
} from './quadratic';
import { denseSymmetricRows } from './symmetric-rows';
import type { SymmetricRows } from './symmetric-rows';

/** Independent truth: the loss change by brute-force double sums over P. */
function bruteForce(sigma: number[], grad: number[], h: number[][], kept: number[]): number {
  const pruned = sigma.map((_, i) => i).filter((i) => !kept.includes(i));
  let linear = 0;
  let quad = 0;
  for (const i of pruned) {
    linear += grad[i] * sigma[i];
    for (const j of pruned) quad += sigma[i] * h[i][j] * sigma[j];
  }
  return linear - 0.5 * quad;
}

const value = fc.double({ min: -3, max: 3, noNaN: true });
const instance = fc.integer({ min: 1, max: 8 }).chain((n) =>
  fc.record({
    sigma: fc.array(value, { minLength: n, maxLength: n }),
    grad: fc.array(value, { minLength: n, maxLength: n }),
    upper: fc.array(value, { minLength: n * n, maxLength: n * n }),
    order: fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i)),
  }),
);
const symmetric = (n: number, upper: number[]): number[][] =>
  Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => upper[Math.min(i, j) * n + Math.max(i, j)]),
  );
const close = (a: number, b: number, scale = 1): boolean =>
  Math.abs(a - b) <= 1e-9 * (1 + Math.abs(a) + Math.abs(b) + scale);

describe('createQuadraticObjective', () => {
  it('paper toy example: keeping sigma_2 beats keeping sigma_1, matching the true loss', () => {
    const sigma = [1, 2.1];
    const f = createQuadraticObjective({
      sigma,
      grad: [-0.2, 0.2],
      hessian: [
        [2, -2],
        [-2, 2],
      ],
    });
    const loss = (s1: number, s2: number): number => (s1 - s2 + 1) ** 2;
    const base = loss(1, 2.1);
    // keeping element 1 (s2) prunes s1: true loss (0 - 2.1 + 1)^2 = 1.21
    expect(loss(0, 2.1)).toBeCloseTo(1.21, 12);
    expect(loss(1, 0)).toBeCloseTo(4, 12);
    expect(f.evaluate([1])).toBeGreaterThan(f.evaluate([0]));
    // L is quadratic, so the second-order model is exact: f(S) = L(now) - L(after pruning P)
    expect(f.evaluate([1])).toBeCloseTo(base - loss(0, 2.1), 12);
    expect(f.evaluate([0])).toBeCloseTo(base - loss(1, 0), 12);
    expect(f.evaluate([])).toBeCloseTo(base - loss(0, 0), 12);
    expect(f.emptyValue).toBeCloseTo(f.evaluate([]), 14);
    expect(f.evaluate([0, 1])).toBe(0);
    // the incremental oracle ranks them the same way
    const o = f.oracle();
    const gains = new Float64Array(2);
    o.gains(gains);
    expect(gains[1]).toBeGreaterThan(gains[0]);
  });

  it('evaluate matches an independent brute-force double sum', () => {
    fc.assert(
      fc.property(instance, ({ sigma, grad, upper, order }) => {
        const h = symmetric(sigma.length, upper);
        const f = createQuadraticObjective({ sigma, grad, hessian: h });
        const expected = bruteForce(sigma, grad, h, order);
        expect(close(f.evaluate(order), expected, 100)).toBe(true);
        expect(close(quadraticValue(sigma, grad, h, order), expected, 100)).toBe(true);
        expect(close(f.emptyValue, bruteForce(sigma, grad, h, []), 100)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('incremental gains equal differences of direct evaluations along random commit sequences', () => {
    fc.assert(
      fc.property(instance, ({ sigma, grad, upper, order }) => {
        const h = symmetric(sigma.length, upper);
        const f = createQuadraticObjective({ sigma, grad, hessian: h });
        const n = sigma.length;
        const o = f.oracle();
        const gains = new Float64Array(n);
        const kept: number[] = [];
        for (const e of order) {
          o.gains(gains);
          const before = f.evaluate(kept);
          for (let i = 0; i < n; i++) {
            if (kept.includes(i)) {
              expect(gains[i]).toBe(-Infinity);
            } else {
              const direct = f.evaluate([...kept, i]) - before;
              expect(close(gains[i], direct, 100)).toBe(true);
              expect(o.gain(i)).toBe(gains[i]);
            }
          }
          o.commit(e);
          kept.push(e);
          expect(o.selected).toEqual(kept);
          expect(close(o.value(), f.evaluate(kept), 100)).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('uses the caller-provided hSigma = M sigma', () => {
    const sigma = [1, -2, 0.5];
    const hessian = [
      [1, 0.5, 0],
      [0.5, 2, -1],
      [0, -1, 3],
    ];
    const hSigma = hessian.map((row) => row.reduce((acc, x, j) => acc + x * sigma[j], 0));
    const grad = [0.1, 0.2, -0.3];
    const a = createQuadraticObjective({ sigma, grad, hessian });
    const b = createQuadraticObjective({ sigma, grad, hessian, hSigma });
    expect(b.emptyValue).toBeCloseTo(a.emptyValue, 14);
    const oa = a.oracle();
    const ob = b.oracle();
    for (let e = 0; e < 3; e++) expect(ob.gain(e)).toBeCloseTo(oa.gain(e), 14);
    // a wrong hSigma changes the gains: the oracle really reads it
    const c = createQuadraticObjective({ sigma, grad, hessian, hSigma: [0, 0, 0] });
    expect(c.oracle().gain(2)).not.toBeCloseTo(oa.gain(2), 6);
  });

  it('fork is independent of its parent', () => {
    const f = createQuadraticObjective({
      sigma: [1, 2, 3],
      grad: [0.1, -0.1, 0.2],
      hessian: [
        [1, 0.2, 0.1],
        [0.2, 1, 0.3],
        [0.1, 0.3, 1],
      ],
    });
    const parent = f.oracle();
    parent.commit(0);
    const child = parent.fork();
    const parentGain2 = parent.gain(2);
    child.commit(1);
    expect(parent.selected).toEqual([0]);
    expect(child.selected).toEqual([0, 1]);
    expect(parent.gain(2)).toBe(parentGain2);
    expect(parent.gain(1)).toBeCloseTo(f.evaluate([0, 1]) - f.evaluate([0]), 12);
    expect(child.value()).toBeCloseTo(f.evaluate([0, 1]), 12);
    expect(parent.value()).toBeCloseTo(f.evaluate([0]), 12);
  });

  it('rejects bad inputs and bad commits with one-line InputErrors', () => {
    const ok = {
      sigma: [1, 2],
      grad: [0, 0],
      hessian: [
        [1, 0],
        [0, 1],
      ],
    };
    expect(() => createQuadraticObjective({ ...ok, grad: [0] })).toThrow(/^grad: has length 1/);
    expect(() =>
      createQuadraticObjective({
        ...ok,
        hessian: [
          [1, 2],
          [0, 1],
        ],
      }),
    ).toThrow(/hessian: is not symmetric/);
    expect(() => createQuadraticObjective({ ...ok, sigma: [1, NaN] })).toThrow(InputError);
    expect(() => createQuadraticObjective({ ...ok, hSigma: [1] })).toThrow(/^hSigma:/);
    const f = createQuadraticObjective(ok);
    expect(() => f.evaluate([0, 0])).toThrow(/appears twice/);
    expect(() => f.evaluate([2])).toThrow(/not an integer in \[0, 2\)/);
    const o = f.oracle();
    o.commit(1);
    expect(() => o.commit(1)).toThrow(/already in the set/);
    expect(() => o.commit(-1)).toThrow(/not an integer in \[0, 2\)/);
    expect(() => o.commit(0.5)).toThrow(InputError);
    expect(() => o.gain(1)).toThrow(/already in the set/);
    expect(() => o.gains(new Float64Array(3))).toThrow(/length 2/);
    expect(o.selected).toEqual([1]);
  });

  it('symmetrizes round-off asymmetry without changing values', () => {
    const f = createQuadraticObjective({
      sigma: [1, 2],
      grad: [0, 0],
      hessian: [
        [1, 0.5 + 1e-12],
        [0.5, 1],
      ],
    });
    expect(f.hessian.data[1]).toBe(f.hessian.data[2]);
  });
});

describe('createQuadraticObjective across tiles', () => {
  /** r spanning several tiles, M symmetric up to round-off. */
  const large = fc
    .record({
      r: fc.integer({ min: 1, max: 2 * SYMMETRIC_TILE + 3 }),
      values: fc.array(value, { minLength: 8, maxLength: 30 }),
    })
    .map(({ r, values }) => {
      const pick = (k: number): number => values[k % values.length];
      const m = new Float64Array(r * r);
      for (let i = 0; i < r; i++) {
        for (let j = i; j < r; j++) {
          m[i * r + j] = pick(i * 7 + j * 3);
          m[j * r + i] = pick(i * 7 + j * 3) * (1 + 1e-13 * ((i + j) % 2));
        }
      }
      const sigma = Float64Array.from({ length: r }, (_, i) => pick(5 * i + 2));
      const grad = Float64Array.from({ length: r }, (_, i) => pick(11 * i + 1));
      return { r, m, sigma, grad };
    });

  it('symmetrizes into (M + M^T) / 2 exactly and leaves a Float64Array input untouched', () => {
    fc.assert(
      fc.property(large, ({ r, m, sigma, grad }) => {
        const before = Float64Array.from(m);
        const f = createQuadraticObjective({ sigma, grad, hessian: { data: m, size: r } });
        expect(f.hessian.data).not.toBe(m);
        for (let i = 0; i < r; i++) {
          for (let j = 0; j < r; j++) {
            expect(f.hessian.data[i * r + j]).toBe(0.5 * (m[i * r + j] + m[j * r + i]));
          }
        }
        expect(Array.from(m)).toEqual(Array.from(before));
      }),
      { numRuns: 25 },
    );
  });
});

describe('createQuadraticObjectiveFromValidated', () => {
  it('behaves as createQuadraticObjective on exactly symmetric input, without copying', () => {
    fc.assert(
      fc.property(instance, ({ sigma, grad, upper, order }) => {
        const n = sigma.length;
        const rows = symmetric(n, upper);
        const m = Float64Array.from(rows.flat());
        const s = Float64Array.from(sigma);
        const g = Float64Array.from(grad);
        const checked = createQuadraticObjective({ sigma, grad, hessian: rows });
        const fast = createQuadraticObjectiveFromValidated({
          sigma: s,
          grad: g,
          hessian: { data: m, size: n },
        });
        expect(fast.hessian.data).toBe(m);
        expect(fast.sigma).toBe(s);
        expect(fast.emptyValue).toBe(checked.emptyValue);
        const a = checked.oracle();
        const b = fast.oracle();
        const ga = new Float64Array(n);
        const gb = new Float64Array(n);
        for (const e of order) {
          a.gains(ga);
          b.gains(gb);
          expect(Array.from(gb)).toEqual(Array.from(ga));
          a.commit(e);
          b.commit(e);
          expect(b.value()).toBe(a.value());
        }
        expect(fast.evaluate(order)).toBe(checked.evaluate(order));
      }),
      { numRuns: 100 },
    );
  });

  it('uses a given hSigma and checks the sizes only', () => {
    const base = {
      sigma: Float64Array.of(1, 2),
      grad: Float64Array.of(0, 0),
      hessian: { data: Float64Array.of(1, 0, 0, 1), size: 2 },
    };
    // emptyValue = g.sigma - 1/2 sigma.hSigma reads the given hSigma
    expect(
      createQuadraticObjectiveFromValidated({ ...base, hSigma: Float64Array.of(2, 0) }).emptyValue,
    ).toBe(-1);
    expect(() =>
      createQuadraticObjectiveFromValidated({ ...base, grad: Float64Array.of(1) }),
    ).toThrow(/^grad: has length 1 but 2 is required/);
    expect(() =>
      createQuadraticObjectiveFromValidated({
        ...base,
        hessian: { data: new Float64Array(9), size: 3 },
      }),
    ).toThrow(/^hessian: is 3x3 with 9 entries but 2x2 is required/);
    expect(() =>
      createQuadraticObjectiveFromValidated({ ...base, hSigma: Float64Array.of(1) }),
    ).toThrow(/^hSigma: has length 1 but 2 is required/);
  });
});

describe('createQuadraticObjectiveFromRows', () => {
  /** A view that only has rows: the objective must not need more than SymmetricRows. */
  function rowsOnly(m: number[][]): SymmetricRows {
    return {
      size: m.length,
      diagonal: (out) => m.forEach((row, i) => (out[i] = row[i])),
      row: (i, out) => out.set(m[i]),
      addScaledRow: (i, scale, target) => m[i].forEach((x, j) => (target[j] += x * scale)),
    };
  }

  it('matches the dense objective: values, gains and commits, bit for bit', () => {
    fc.assert(
      fc.property(instance, ({ sigma, grad, upper, order }) => {
        const n = sigma.length;
        const rows = symmetric(n, upper);
        const dense = createQuadraticObjective({ sigma, grad, hessian: rows });
        const hSigma = Float64Array.from(rows, (row) =>
          row.reduce((acc, x, j) => acc + x * sigma[j], 0),
        );
        const s = Float64Array.from(sigma);
        const viaRows = createQuadraticObjectiveFromRows({
          sigma: s,
          grad: Float64Array.from(grad),
          rows: rowsOnly(rows),
          hSigma,
        });
        expect(viaRows.emptyValue).toBe(dense.emptyValue);
        expect(viaRows.evaluate(order)).toBe(dense.evaluate(order));
        expect(viaRows.evaluate(order)).toBeCloseTo(bruteForce(sigma, grad, rows, order), 9);
        const a = dense.oracle();
        const b = viaRows.oracle();
        const ga = new Float64Array(n);
        const gb = new Float64Array(n);
        for (const e of order) {
          a.gains(ga);
          b.gains(gb);
          expect(Array.from(gb)).toEqual(Array.from(ga));
          expect(b.gain(e)).toBe(a.gain(e));
          a.commit(e);
          b.commit(e);
          expect(b.value()).toBe(a.value());
        }
      }),
      { numRuns: 60 },
    );
  });

  it('checks sizes', () => {
    const base = {
      sigma: Float64Array.of(1, 2),
      grad: Float64Array.of(0, 0),
      rows: denseSymmetricRows({ data: Float64Array.of(1, 0, 0, 1), size: 2 }),
      hSigma: Float64Array.of(1, 2),
    };
    expect(() => createQuadraticObjectiveFromRows({ ...base, grad: Float64Array.of(0) })).toThrow(
      /^grad: has length 1 but 2/,
    );
    expect(() => createQuadraticObjectiveFromRows({ ...base, hSigma: Float64Array.of(0) })).toThrow(
      /^hSigma: has length 1 but 2/,
    );
    expect(() =>
      createQuadraticObjectiveFromRows({
        ...base,
        rows: denseSymmetricRows({ data: Float64Array.of(1), size: 1 }),
      }),
    ).toThrow(/^hessian: is 1x1 but 2x2/);
    expect(() => denseSymmetricRows({ data: new Float64Array(3), size: 2 })).toThrow(
      /^hessian: is 2x2 with 3 entries/,
    );
  });
});
