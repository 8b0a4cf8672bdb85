import fc from 'fast-check';
import { createQuadraticObjective } from '@sublora/set-function';
import {
  arbQuadraticInstance,
  checkQuadraticSubmodularity,
  checkSubmodular,
} from '@sublora/submodularity';
import { assertSymmetric, InputError, SYMMETRIC_TILE, toFloat64Matrix } from '@sublora/tensor';
import { projectHessian, projectHessianRows, projectValidatedHessian } from './project';

type Instance = { sigma: number[]; hessian: number[][] };

/** Raw instances, with some exact zeros in sigma and H to exercise the ">= 0" boundary. */
const instance: fc.Arbitrary<Instance> = fc
  .tuple(arbQuadraticInstance({ minSize: 1, maxSize: 7 }), fc.array(fc.nat(), { maxLength: 3 }))
  .map(([q, zeros]) => {
    const n = q.sigma.length;
    const sigma = q.sigma.slice();
    const hessian = q.hessian.map((row) => row.slice());
    zeros.forEach((z, k) => {
      if (k === 0) sigma[z % n] = 0;
      else {
        const i = z % n,
          j = Math.floor(z / n) % n;
        hessian[i][j] = 0;
        hessian[j][i] = 0;
      }
    });
    return { sigma, hessian };
  });

const at = (g: { data: Float64Array; size: number }, i: number, j: number): number =>
  g.data[i * g.size + j];
const frobenius = (a: number[][], b: (i: number, j: number) => number): number =>
  Math.sqrt(a.reduce((acc, row, i) => acc + row.reduce((s, x, j) => s + (x - b(i, j)) ** 2, 0), 0));

describe('projectHessian', () => {
  it('paper toy example: removes the coupling that breaks submodularity', () => {
    const { projected, report } = projectHessian(
      [
        [2, -2],
        [-2, 2],
      ],
      [1, 2.1],
    );
    expect(Array.from(projected.data)).toEqual([2, 0, 0, 2]);
    expect(report).toEqual({
      removedEntries: 2,
      removedPairs: 1,
      frobeniusDistance: Math.sqrt(8),
      relativeFrobeniusDistance: Math.sqrt(8) / 4,
    });
  });

  it('follows the rule entry by entry and the output passes the Theorem-2 check', () => {
    fc.assert(
      fc.property(instance, ({ sigma, hessian }) => {
        const { projected: g } = projectHessian(hessian, sigma);
        const n = sigma.length;
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            const keep = i === j || hessian[i][j] * sigma[i] * sigma[j] >= 0;
            expect(at(g, i, j)).toBe(keep ? hessian[i][j] : 0);
          }
        }
        expect(checkQuadraticSubmodularity(g, sigma).submodular).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('end to end: the objective built on the projection is submodular by brute force', () => {
    fc.assert(
      fc.property(arbQuadraticInstance({ minSize: 2, maxSize: 6 }), ({ sigma, grad, hessian }) => {
        const { projected } = projectHessian(hessian, sigma);
        const f = createQuadraticObjective({ sigma, grad, hessian: projected });
        expect(checkSubmodular(f, { mode: 'exhaustive' }).violations).toBe(0);
      }),
      { numRuns: 60 },
    );
  });

  it('is symmetric and idempotent', () => {
    fc.assert(
      fc.property(instance, ({ sigma, hessian }) => {
        const once = projectHessian(hessian, sigma);
        const twice = projectHessian(once.projected, sigma);
        expect(Array.from(twice.projected.data)).toEqual(Array.from(once.projected.data));
        expect(twice.report.removedEntries).toBe(0);
        expect(twice.report.frobeniusDistance).toBe(0);
        const g = once.projected;
        for (let i = 0; i < g.size; i++)
          for (let j = 0; j < g.size; j++) expect(at(g, i, j)).toBe(at(g, j, i));
      }),
      { numRuns: 100 },
    );
  });

  it('is the Frobenius-nearest feasible matrix: no random feasible matrix is closer', () => {
    // Feasible set: symmetric G with G_ij sigma_i sigma_j >= 0 off the diagonal.
    const feasibleNeighbour = instance.chain(({ sigma, hessian }) => {
      const n = sigma.length;
      return fc
        .array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: n * n, maxLength: n * n })
        .map((noise) => {
          const { projected } = projectHessian(hessian, sigma);
          // perturb the projection, then push every entry back into its half-line
          const other = Array.from({ length: n }, (_, i) =>
            Array.from({ length: n }, (_, j) => {
              const k = Math.min(i, j) * n + Math.max(i, j);
              const x = at(projected, i, j) + noise[k];
              if (i === j) return x;
              const s = Math.sign(sigma[i] * sigma[j]);
              return s === 0 ? x : s * Math.max(0, s * x);
            }),
          );
          return { sigma, hessian, other };
        });
    });
    fc.assert(
      fc.property(feasibleNeighbour, ({ sigma, hessian, other }) => {
        expect(checkQuadraticSubmodularity(other, sigma).submodular).toBe(true);
        const { projected, report } = projectHessian(hessian, sigma);
        const best = frobenius(hessian, (i, j) => at(projected, i, j));
        expect(report.frobeniusDistance).toBeCloseTo(best, 12);
        expect(best).toBeLessThanOrEqual(frobenius(hessian, (i, j) => other[i][j]) + 1e-12);
      }),
      { numRuns: 200 },
    );
  });

  it('per entry: the kept value is the nearest point of its feasible half-line', () => {
    fc.assert(
      fc.property(
        instance,
        fc.double({ min: -5, max: 5, noNaN: true }),
        ({ sigma, hessian }, candidate) => {
          const { projected } = projectHessian(hessian, sigma);
          const n = sigma.length;
          for (let i = 0; i < n; i++) {
            for (let j = 0; j < n; j++) {
              if (i === j || candidate * sigma[i] * sigma[j] < 0) continue; // candidate infeasible here
              expect(Math.abs(hessian[i][j] - at(projected, i, j))).toBeLessThanOrEqual(
                Math.abs(hessian[i][j] - candidate),
              );
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reports the removed entries, pairs and distances', () => {
    fc.assert(
      fc.property(instance, ({ sigma, hessian }) => {
        const { projected, report } = projectHessian(hessian, sigma);
        const n = sigma.length;
        let removed = 0;
        let norm2 = 0;
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            norm2 += hessian[i][j] ** 2;
            if (i !== j && hessian[i][j] * sigma[i] * sigma[j] < 0) removed++;
          }
        }
        expect(report.removedEntries).toBe(removed);
        expect(report.removedPairs).toBe(removed / 2);
        const distance = frobenius(hessian, (i, j) => at(projected, i, j));
        expect(report.frobeniusDistance).toBeCloseTo(distance, 12);
        expect(report.relativeFrobeniusDistance).toBeCloseTo(
          norm2 === 0 ? 0 : distance / Math.sqrt(norm2),
          12,
        );
      }),
      { numRuns: 100 },
    );
  });

  it('reports the distances of H 2^k as those of H times 2^k, also where the squares overflow', () => {
    const reports = (hessian: number[][], sigma: number[]) => {
      const data = Float64Array.from(hessian.flat());
      return [
        projectHessian(hessian, sigma).report,
        projectValidatedHessian({ data, size: sigma.length }, Float64Array.from(sigma)).report,
        projectHessianRows({ data, size: sigma.length }, Float64Array.from(sigma)).report,
      ];
    };
    fc.assert(
      fc.property(instance, fc.integer({ min: 0, max: 1000 }), ({ sigma, hessian }, k) => {
        fc.pre(hessian.flat().every((v) => v === 0 || Math.abs(v) > 1e-100));
        const base = reports(hessian, sigma);
        const scaled = reports(
          hessian.map((row) => row.map((v) => v * 2 ** Math.floor(k / 2) * 2 ** Math.ceil(k / 2))),
          sigma,
        );
        scaled.forEach((report, m) => {
          expect(report.removedEntries).toBe(base[m].removedEntries);
          // the distance may leave the float64 range only where ||H - G||_F does
          expect(report.frobeniusDistance).toBe(base[m].frobeniusDistance * 2 ** k);
          expect(report.relativeFrobeniusDistance).toBe(base[m].relativeFrobeniusDistance);
        });
      }),
      { numRuns: 200 },
    );
    // the CLI's case: entries 1e200 made the distances Infinity (null in --json)
    const { report } = projectHessian(
      [
        [1, 1e200],
        [1e200, 1],
      ],
      [1, -1],
    );
    expect(report.frobeniusDistance).toBeCloseTo(Math.SQRT2 * 1e200, -186);
    expect(report.relativeFrobeniusDistance).toBeCloseTo(1, 15);
  });

  it('leaves the input untouched and handles r = 0 and H = 0', () => {
    const h = [
      [1, -1],
      [-1, 1],
    ];
    projectHessian(h, [1, 1]);
    expect(h).toEqual([
      [1, -1],
      [-1, 1],
    ]);
    expect(projectHessian([], []).report.removedEntries).toBe(0);
    expect(
      projectHessian(
        [
          [0, 0],
          [0, 0],
        ],
        [1, -1],
      ).report.relativeFrobeniusDistance,
    ).toBe(0);
  });

  it('rejects bad input with one-line InputErrors', () => {
    expect(() =>
      projectHessian(
        [
          [1, 2],
          [3, 1],
        ],
        [1, 1],
      ),
    ).toThrow(/^hessian: is not symmetric/);
    expect(() =>
      projectHessian(
        [
          [1, 0],
          [0, 1],
        ],
        [1],
      ),
    ).toThrow(/^hessian: is 2x2 but 1x1/);
    expect(() =>
      projectHessian(
        [
          [1, NaN],
          [NaN, 1],
        ],
        [1, 1],
      ),
    ).toThrow(InputError);
    expect(() => projectHessian([[1]], [Infinity])).toThrow(/^sigma: entry 0/);
  });
});

/** Independent truth: the rule entry by entry, untiled, and G sigma row by row. */
function naiveProjection(h: Float64Array, s: Float64Array) {
  const r = s.length;
  const g = new Float64Array(r * r);
  let removedPairs = 0;
  for (let i = 0; i < r; i++) {
    g[i * r + i] = h[i * r + i];
    for (let j = i + 1; j < r; j++) {
      const value = 0.5 * (h[i * r + j] + h[j * r + i]);
      const keep = Math.sign(value) * Math.sign(s[i]) * Math.sign(s[j]) >= 0;
      if (!keep) removedPairs++;
      g[i * r + j] = g[j * r + i] = keep ? value : 0;
    }
  }
  const gSigma = Array.from({ length: r }, (_, i) =>
    s.reduce((acc, sj, j) => acc + g[i * r + j] * sj, 0),
  );
  return { g, gSigma, removedPairs };
}

/** Sizes across several tiles; round-off asymmetry; zeros in sigma and H. */
const tiled = fc
  .record({
    r: fc.integer({ min: 1, max: 2 * SYMMETRIC_TILE + 3 }),
    values: fc.array(fc.double({ min: -3, max: 3, noNaN: true }), {
      minLength: 8,
      maxLength: 40,
    }),
    zeroSigma: fc.nat(),
  })
  .map(({ r, values, zeroSigma }) => {
    const pick = (k: number): number => values[k % values.length];
    const s = Float64Array.from({ length: r }, (_, i) => pick(3 * i + 1));
    s[zeroSigma % r] = 0;
    const h = new Float64Array(r * r);
    for (let i = 0; i < r; i++) {
      for (let j = i; j < r; j++) {
        const v = (i + j) % 7 === 0 ? 0 : pick(i * 13 + j * 5);
        h[i * r + j] = v;
        h[j * r + i] = v * (1 + 1e-12 * ((i * j) % 3)); // round-off asymmetry
      }
    }
    return { h, s, r };
  });

describe('projectValidatedHessian', () => {
  it('equals the untiled rule, and projectHessian, with G sigma from the same pass', () => {
    fc.assert(
      fc.property(tiled, ({ h, s, r }) => {
        const before = Float64Array.from(h);
        const fast = projectValidatedHessian({ data: h, size: r }, s);
        const truth = naiveProjection(h, s);
        expect(Array.from(fast.projected.data)).toEqual(Array.from(truth.g));
        expect(fast.report.removedPairs).toBe(truth.removedPairs);
        fast.projectedHSigma.forEach((x, i) =>
          expect(Math.abs(x - truth.gSigma[i])).toBeLessThanOrEqual(1e-12 * (1 + 9 * r)),
        );
        const viaPublic = projectHessian({ data: h, size: r }, s);
        expect(Array.from(viaPublic.projected.data)).toEqual(Array.from(truth.g));
        expect(viaPublic.report).toEqual(fast.report);
        // neither copies into nor writes to the caller's array
        expect(Array.from(h)).toEqual(Array.from(before));
        expect(viaPublic.projected.data).not.toBe(h);
      }),
      { numRuns: 60 },
    );
  });

  it('checks the sizes', () => {
    expect(() =>
      projectValidatedHessian({ data: new Float64Array(4), size: 2 }, Float64Array.of(1)),
    ).toThrow(/^hessian: is 2x2 with 4 entries but 1x1 is required to match sigma/);
  });
});

describe('projectHessianRows (G as a row view of H)', () => {
  /** -0 and +0 may differ between the view and the written G (see ProjectedRows). */
  const zeroSignless = (xs: ArrayLike<number>): number[] => Array.from(xs, (x) => x + 0);

  it('rows, diagonal and addScaledRow are the rows of the materialized G; sums bit for bit', () => {
    fc.assert(
      fc.property(tiled, fc.boolean(), ({ h: generated, s, r }, exactlySymmetric) => {
        const h = Float64Array.from(generated);
        if (exactlySymmetric) {
          for (let i = 0; i < r; i++) for (let j = 0; j < i; j++) h[i * r + j] = h[j * r + i];
        }
        const before = Float64Array.from(h);
        const view = projectHessianRows({ data: h, size: r }, s);
        const full = projectValidatedHessian({ data: h, size: r }, s);
        const g = full.projected.data;
        expect(view.rows.size).toBe(r);
        expect(Array.from(view.projectedHSigma)).toEqual(Array.from(full.projectedHSigma));
        expect(view.report).toEqual(full.report);
        const row = new Float64Array(r);
        const diagonal = new Float64Array(r);
        view.rows.diagonal(diagonal);
        for (let i = 0; i < r; i++) {
          expect(diagonal[i]).toBe(g[i * r + i]);
          view.rows.row(i, row);
          expect(zeroSignless(row)).toEqual(zeroSignless(g.subarray(i * r, (i + 1) * r)));
          const target = Float64Array.from(s);
          view.rows.addScaledRow(i, -s[i], target);
          expect(zeroSignless(target)).toEqual(
            zeroSignless(Array.from(s, (x, j) => x - g[i * r + j] * s[i])),
          );
        }
        // H sigma of the symmetrized H, the raw model's product
        for (let i = 0; i < r; i++) {
          let truth = 0;
          for (let j = 0; j < r; j++) truth += 0.5 * (h[i * r + j] + h[j * r + i]) * s[j];
          expect(Math.abs(view.hSigma[i] - truth)).toBeLessThanOrEqual(1e-12 * (1 + 9 * r));
        }
        expect(Array.from(h)).toEqual(Array.from(before));
      }),
      { numRuns: 60 },
    );
  });

  it('checks finiteness, then symmetry, with the messages of toFloat64Matrix and assertSymmetric', () => {
    const outcome = (data: number[], size: number, tol?: number): string => {
      const s = new Float64Array(size).fill(1);
      const m = { data: Float64Array.from(data), size };
      let fused = 'ok';
      let separate = 'ok';
      try {
        projectHessianRows(m, s, { symmetryTolerance: tol });
      } catch (error) {
        fused = (error as Error).message;
      }
      try {
        assertSymmetric('hessian', toFloat64Matrix('hessian', m, size), tol);
      } catch (error) {
        separate = (error as Error).message;
      }
      expect(fused).toBe(separate);
      return fused;
    };
    expect(outcome([1, 5, 0, 1], 2)).toMatch(/^hessian: is not symmetric: entry \(0, 1\)/);
    expect(outcome([1, 5, 0, NaN], 2)).toMatch(/^hessian: entry \(1, 1\) is NaN/);
    expect(outcome([1, Infinity, Infinity, 1], 2)).toMatch(/^hessian: entry \(0, 1\) is Infinity/);
    expect(outcome([1, 1.7e308, -1.7e308, 1], 2)).toMatch(/^hessian: is not symmetric/);
    expect(outcome([1e200, 0, 0, 1e200], 2)).toBe('ok'); // squares overflow, entries are finite
    expect(outcome([1, 1 + 1e-9, 1, 1], 2)).toBe('ok');
    expect(outcome([1, 1 + 1e-9, 1, 1], 2, 1e-12)).toMatch(/^hessian: is not symmetric/);
    expect(outcome([1, 1, 1, 1], 2, -1)).toMatch(/^hessian: is not symmetric/);
    expect(outcome([3], 1, -1)).toBe('ok');
    // relative below magnitude 1 too: the 1e-9-scaled copy of a refused matrix is refused
    expect(outcome([2e-9, -2e-9, 2e-9, 2e-9], 2)).toMatch(
      /^hessian: is not symmetric: entry \(0, 1\) = -2e-9/,
    );
    expect(outcome([1e-12, 1e-12 * (1 + 1e-10), 1e-12, 1e-12], 2)).toBe('ok');
    expect(outcome([0, 0, 0, 0], 2)).toBe('ok');
    expect(() =>
      projectHessianRows({ data: new Float64Array(4), size: 2 }, Float64Array.of(1)),
    ).toThrow(/^hessian: is 2x2 with 4 entries but 1x1 is required to match sigma/);
  });
});
