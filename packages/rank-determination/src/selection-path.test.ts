/**
 * The host path of `sublora-g` never materializes `G` (a row view, one fused
 * pass over `H`, the raw objective from the kept rows). These properties hold
 * it to the straightforward materialized path: `projectHessian`, then
 * `createQuadraticObjective`, then `greedy`.
 */
import fc from 'fast-check';
import { greedy } from '@sublora/greedy';
import { projectHessian, projectValidatedHessian } from '@sublora/hessian-projection';
import { createQuadraticObjective, quadraticValue } from '@sublora/set-function';
import { determineRanksSync } from './index';

interface Instance {
  readonly sigma: number[];
  readonly grad: number[];
  readonly hessian: number[][];
  readonly budget: number;
}

/**
 * r up to 60 with entries from `pool`: symmetric, then (when `asymmetry` > 0)
 * `H_ji = H_ij (1 + asymmetry k)` for a few pairs, round-off the validation accepts.
 */
function instances(pool: fc.Arbitrary<number>, asymmetry: number): fc.Arbitrary<Instance> {
  return fc.integer({ min: 1, max: 60 }).chain((r) =>
    fc
      .record({
        sigma: fc.array(pool, { minLength: r, maxLength: r }),
        grad: fc.array(pool, { minLength: r, maxLength: r }),
        upper: fc.array(pool, { minLength: (r * (r + 1)) / 2, maxLength: (r * (r + 1)) / 2 }),
        budget: fc.integer({ min: 0, max: r }),
      })
      .map(({ sigma, grad, upper, budget }) => {
        const hessian = Array.from({ length: r }, () => new Array<number>(r).fill(0));
        let k = 0;
        for (let i = 0; i < r; i++) {
          for (let j = i; j < r; j++) {
            const v = upper[k++];
            hessian[i][j] = v;
            hessian[j][i] = asymmetry > 0 && (i + 2 * j) % 5 === 0 ? v * (1 + asymmetry) : v;
          }
        }
        return { sigma, grad, hessian, budget };
      }),
  );
}

/** Small dyadic values: every sum is exact, so ties are real and broken by index alone. */
const dyadic = fc.integer({ min: -6, max: 6 }).map((k) => k / 4);
/** General doubles with exact zeros mixed in. */
const doubles = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: -3, max: 3, noNaN: true }) },
  { weight: 1, arbitrary: fc.constant(0) },
);

function reference(q: Instance, hSigma?: Float64Array) {
  const { projected } = projectHessian(q.hessian, q.sigma);
  const f = createQuadraticObjective({ sigma: q.sigma, grad: q.grad, hessian: projected, hSigma });
  const removalGains = q.sigma.map((s, e) => -q.grad[e] * s + 0.5 * q.hessian[e][e] * s * s);
  return greedy(f, q.budget, { removalGains });
}

function ranks(q: Instance) {
  return determineRanksSync({ ...q, method: 'sublora-g' });
}

describe('sublora-g without a materialized G', () => {
  it('picks exactly what the materialized path picks (dyadic values: many ties)', () => {
    fc.assert(
      fc.property(instances(dyadic, 0), (q) => {
        const truth = reference(q);
        const result = ranks(q);
        expect(result.diagnostics.pickOrder).toEqual(truth.selected);
        expect(result.diagnostics.gains).toEqual(truth.gains);
        expect(result.certificate!.upperBound).toBe(truth.upperBound);
      }),
      { numRuns: 80 },
    );
  });

  it('picks exactly what the materialized path picks (doubles, zeros, round-off asymmetry)', () => {
    fc.assert(
      fc.property(instances(doubles, 0), instances(doubles, 1e-13), (exact, asym) => {
        for (const q of [exact, asym]) {
          // the one difference left: G sigma summed in the projection's tile order
          const n = q.sigma.length;
          const { projectedHSigma } = projectValidatedHessian(
            {
              data: Float64Array.from(projectHessian(q.hessian, q.sigma).projected.data),
              size: n,
            },
            Float64Array.from(q.sigma),
          );
          const truth = reference(q, projectedHSigma);
          const result = ranks(q);
          expect(result.diagnostics.pickOrder).toEqual(truth.selected);
          expect(result.diagnostics.gains).toEqual(truth.gains);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('reports the raw objective of the direct evaluation, within round-off of the terms', () => {
    fc.assert(
      fc.property(instances(doubles, 1e-13), (q) => {
        const result = ranks(q);
        const n = q.sigma.length;
        // the size of the terms both evaluations sum
        let magnitude = 0;
        for (let i = 0; i < n; i++) {
          magnitude += Math.abs(q.grad[i] * q.sigma[i]);
          for (let j = 0; j < n; j++) {
            magnitude += Math.abs(q.sigma[i] * q.hessian[i][j] * q.sigma[j]);
          }
        }
        const tolerance = 1e-13 * (1 + magnitude);
        const direct = quadraticValue(q.sigma, q.grad, q.hessian, [...result.kept]);
        const empty = quadraticValue(q.sigma, q.grad, q.hessian, []);
        expect(Math.abs(result.objective - direct)).toBeLessThanOrEqual(tolerance);
        expect(Math.abs(result.objectiveNormalized - (direct - empty))).toBeLessThanOrEqual(
          2 * tolerance,
        );
        // the edges are exact: keeping nothing gains nothing, keeping all loses nothing
        if (q.budget === 0) expect(result.objectiveNormalized).toBe(0);
        if (q.budget === n) expect(result.objective).toBe(0);
      }),
      { numRuns: 80 },
    );
  });

  it('rejects a non-finite Hessian before an asymmetric one, and both before the budget', () => {
    const base = { sigma: [1, 1, 1], grad: [0, 0, 0], method: 'sublora-g' as const };
    const both = [
      [1, 5, 0],
      [0, 1, NaN],
      [0, 0, 1],
    ];
    expect(() => determineRanksSync({ ...base, hessian: both, budget: 9 })).toThrow(
      'hessian: entry (1, 2) is NaN; every value must be a finite number',
    );
    both[1][2] = 0;
    expect(() => determineRanksSync({ ...base, hessian: both, budget: 9 })).toThrow(
      /^hessian: is not symmetric: entry \(0, 1\) = 5 but \(1, 0\) = 0/,
    );
  });
});
