import fc from 'fast-check';
import { SYMMETRIC_TILE } from '@sublora/tensor';
import { createQuadraticObjective, createQuadraticObjectiveFromRows } from './quadratic';
import { symmetrizedRows } from './symmetric-rows';

/** Independent truth: the symmetrized copy and its row-by-row product, written out plainly. */
function symmetrizedCopy(m: Float64Array, r: number): Float64Array {
  const out = new Float64Array(r * r);
  for (let i = 0; i < r; i++)
    for (let j = 0; j < r; j++)
      out[i * r + j] = i === j ? m[i * r + i] : 0.5 * (m[i * r + j] + m[j * r + i]);
  return out;
}

function rowProduct(m: Float64Array, v: Float64Array, r: number): Float64Array {
  const out = new Float64Array(r);
  for (let i = 0; i < r; i++) {
    let acc = 0;
    for (let j = 0; j < r; j++) acc += m[i * r + j] * v[j];
    out[i] = acc;
  }
  return out;
}

/**
 * A square matrix symmetric, nearly symmetric (one-ulp-scale noise), or with
 * signed zeros and near-overflow entries; sizes across a tile edge.
 */
const matrices = fc
  .record({
    r: fc.integer({ min: 1, max: SYMMETRIC_TILE + 3 }),
    kind: fc.constantFrom('exact', 'noisy', 'zeros', 'huge'),
    seed: fc.integer({ min: 1, max: 1e6 }),
  })
  .map(({ r, kind, seed }) => {
    let s = seed;
    const next = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
    const m = new Float64Array(r * r);
    for (let i = 0; i < r; i++)
      for (let j = i; j < r; j++) {
        const x = kind === 'huge' && next() > 0.5 ? 1.5e308 * Math.sign(next()) : next();
        m[i * r + j] = x;
        m[j * r + i] = kind === 'noisy' && i !== j ? x * (1 + 1e-13 * next()) : x;
        if (kind === 'zeros' && next() > 0.6) [m[i * r + j], m[j * r + i]] = [0, -0];
      }
    const v = Float64Array.from({ length: r }, () => next());
    return { m, v, r };
  });

describe('symmetrizedRows', () => {
  it('equals a symmetrized copy: product bit for bit, rows and updates up to the sign of a zero', () => {
    fc.assert(
      fc.property(matrices, ({ m, v, r }) => {
        const copy = symmetrizedCopy(m, r);
        const { rows, product } = symmetrizedRows({ data: m, size: r }, v);
        expect(Array.from(product)).toEqual(Array.from(rowProduct(copy, v, r)));
        const diagonal = new Float64Array(r);
        rows.diagonal(diagonal);
        const row = new Float64Array(r);
        // `==`: +0 and -0 are the same entry here (see the function's doc)
        const same = (a: number, b: number) => a === b || (Number.isNaN(a) && Number.isNaN(b));
        const mismatches: string[] = [];
        for (let i = 0; i < r; i++) {
          if (diagonal[i] !== copy[i * r + i]) mismatches.push(`diagonal ${i}`);
          rows.row(i, row);
          const target = Float64Array.from(v);
          rows.addScaledRow(i, -0.75, target);
          for (let j = 0; j < r; j++) {
            if (!same(row[j], copy[i * r + j])) mismatches.push(`row ${i} entry ${j}`);
            if (!same(target[j], v[j] + copy[i * r + j] * -0.75))
              mismatches.push(`update ${i}, ${j}`);
          }
        }
        expect(mismatches).toEqual([]);
      }),
      { numRuns: 120 },
    );
  });

  it('gives the objective createQuadraticObjective builds from the copy', () => {
    fc.assert(
      fc.property(
        matrices.filter(({ m }) => m.every((x) => Math.abs(x) < 1e300)),
        ({ m, v, r }) => {
          const grad = v.map((x) => 0.3 * x);
          const a = createQuadraticObjective({ sigma: v, grad, hessian: { data: m, size: r } });
          const { rows, product } = symmetrizedRows({ data: m, size: r }, v);
          const b = createQuadraticObjectiveFromRows({ sigma: v, grad, rows, hSigma: product });
          expect(b.emptyValue).toBe(a.emptyValue);
          const [oa, ob] = [a.oracle(), b.oracle()];
          const [ga, gb] = [new Float64Array(r), new Float64Array(r)];
          for (let e = r - 1; e >= 0; e -= 2) {
            oa.gains(ga);
            ob.gains(gb);
            expect(Array.from(gb)).toEqual(Array.from(ga));
            oa.commit(e);
            ob.commit(e);
            expect(ob.value()).toBe(oa.value());
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('reads a row for its column only when the matrix is exactly symmetric', () => {
    // a column read would show: (0, 1) and (1, 0) differ, so rows must average them
    const m = Float64Array.of(1, 2, 4, 1);
    const row = new Float64Array(2);
    symmetrizedRows({ data: m, size: 2 }, Float64Array.of(1, 1)).rows.row(0, row);
    expect(Array.from(row)).toEqual([1, 3]);
    // and a huge entry, whose doubled sum overflows, makes the copy's entry infinite
    const huge = Float64Array.of(1, 1.5e308, 1.5e308, 1);
    symmetrizedRows({ data: huge, size: 2 }, Float64Array.of(1, 1)).rows.row(0, row);
    expect(Array.from(row)).toEqual([1, Infinity]);
  });

  it('rejects a matrix that is not square or does not match v', () => {
    expect(() =>
      symmetrizedRows({ data: new Float64Array(3), size: 2 }, new Float64Array(2)),
    ).toThrow(/^hessian: is 2x2 with 3 entries/);
    expect(() =>
      symmetrizedRows({ data: new Float64Array(4), size: 2 }, new Float64Array(3)),
    ).toThrow(/matching the 3 singular values/);
  });
});
