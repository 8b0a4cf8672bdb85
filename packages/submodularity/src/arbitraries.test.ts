import fc from 'fast-check';
import { createModular } from '@sublora/set-function';
import type { SetFunction } from '@sublora/set-function';
import {
  arbMonotoneSubmodular,
  arbQuadraticInstance,
  arbSubmodularInstance,
  buildSetFunction,
} from './arbitraries';
import { checkMonotone } from './generic-check';
import {
  assertMonotoneProperty,
  assertSubmodularProperty,
  monotoneProperty,
  submodularProperty,
} from './properties';
import { checkQuadraticSubmodularity } from './quadratic-check';

describe('arbQuadraticInstance', () => {
  it('generates symmetric instances of the requested size, entries away from 0', () => {
    fc.assert(
      fc.property(arbQuadraticInstance({ minSize: 2, maxSize: 5, minAbs: 0.5, maxAbs: 1 }), (q) => {
        const n = q.sigma.length;
        expect(n).toBeGreaterThanOrEqual(2);
        expect(n).toBeLessThanOrEqual(5);
        expect(q.grad).toHaveLength(n);
        for (let i = 0; i < n; i++) {
          for (const x of [q.sigma[i], q.grad[i], ...q.hessian[i]]) {
            expect(Math.abs(x)).toBeGreaterThanOrEqual(0.5);
            expect(Math.abs(x)).toBeLessThanOrEqual(1);
          }
          for (let j = 0; j < n; j++) expect(q.hessian[i][j]).toBe(q.hessian[j][i]);
        }
      }),
      { numRuns: 50 },
    );
  });

  it("hessian: 'submodular' meets Theorem 2, 'any' usually does not", () => {
    fc.assert(
      fc.property(arbQuadraticInstance({ hessian: 'submodular' }), (q) => {
        expect(checkQuadraticSubmodularity(q.hessian, q.sigma).submodular).toBe(true);
      }),
      { numRuns: 100 },
    );
    const samples = fc.sample(arbQuadraticInstance({ minSize: 4, maxSize: 4 }), {
      numRuns: 50,
      seed: 1,
    });
    const violating = samples.filter(
      (q) => !checkQuadraticSubmodularity(q.hessian, q.sigma).submodular,
    );
    expect(violating.length).toBeGreaterThan(40);
  });
});

describe('arbSubmodularInstance / arbMonotoneSubmodular', () => {
  it('every generated function is submodular (exhaustive check)', () => {
    assertSubmodularProperty(arbSubmodularInstance({ maxSize: 6 }), buildSetFunction, {
      numRuns: 150,
      seed: 11,
    });
  });

  it('covers every kind', () => {
    const kinds = new Set(
      fc.sample(arbSubmodularInstance(), { numRuns: 200, seed: 2 }).map((s) => s.kind),
    );
    expect([...kinds].sort()).toEqual([
      'concave-of-modular',
      'coverage',
      'facility-location',
      'modular',
      'quadratic',
    ]);
  });

  it('monotone instances are normalized, monotone and submodular', () => {
    const arb = arbMonotoneSubmodular({ maxSize: 6 });
    assertMonotoneProperty(arb, buildSetFunction, { numRuns: 100, seed: 5 });
    assertSubmodularProperty(arb, buildSetFunction, { numRuns: 100, seed: 6 });
    fc.assert(
      fc.property(arb, (spec) => {
        expect(buildSetFunction(spec).evaluate([])).toBe(0);
      }),
      { numRuns: 100 },
    );
  });

  it('the submodular family is not all monotone (it exercises the non-monotone case)', () => {
    const specs = fc.sample(arbSubmodularInstance({ minSize: 3 }), { numRuns: 100, seed: 4 });
    const nonMonotone = specs.filter((s) => !checkMonotone(buildSetFunction(s)).monotone);
    expect(nonMonotone.length).toBeGreaterThan(10);
  });
});

describe('property helpers', () => {
  /** f(S) = |S|^2: supermodular, a submodularity claim about it must fail. */
  const square = (n: number): SetFunction => ({
    n,
    name: 'square',
    evaluate: (set) => set.length ** 2,
    oracle: () => {
      throw new Error('unused');
    },
  });

  it('report a failing claim with the counterexample', () => {
    expect(() =>
      assertSubmodularProperty(fc.integer({ min: 2, max: 5 }), square, { numRuns: 20, seed: 1 }),
    ).toThrow(
      /square \(n = 2\) is not submodular: A = \[\], B = \[\d\], e = \d: gain at A = 1 < gain at B = 3/,
    );
    expect(() =>
      assertMonotoneProperty(fc.constant([1, -2]), (w) => createModular(w), { numRuns: 1 }),
    ).toThrow(/modular \(n = 2\) is not monotone: A = \[\], e = 1: gain = -2/);
  });

  it('return plain fast-check properties', () => {
    const ok = fc.check(
      submodularProperty(fc.constant([1, 2, 3]), (w) => createModular(w)),
      { numRuns: 1 },
    );
    expect(ok.failed).toBe(false);
    const bad = fc.check(
      monotoneProperty(fc.constant([-1]), (w) => createModular(w)),
      { numRuns: 1 },
    );
    expect(bad.failed).toBe(true);
  });
});
