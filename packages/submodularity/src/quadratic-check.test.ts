import fc from 'fast-check';
import { createQuadraticObjective } from '@sublora/set-function';
import { arbQuadraticInstance } from './arbitraries';
import { checkSubmodular } from './generic-check';
import { checkQuadraticSubmodularity } from './quadratic-check';

describe('checkQuadraticSubmodularity', () => {
  it('flags the paper toy example', () => {
    const result = checkQuadraticSubmodularity(
      [
        [2, -2],
        [-2, 2],
      ],
      [1, 2.1],
    );
    expect(result.submodular).toBe(false);
    expect(result.violationCount).toBe(1);
    expect(result.offDiagonalPairs).toBe(1);
    expect(result.violations[0].i).toBe(0);
    expect(result.violations[0].j).toBe(1);
    expect(result.violations[0].value).toBeCloseTo(-4.2, 12);
  });

  it('lists every violating pair i < j with H_ij sigma_i sigma_j', () => {
    const h = [
      [1, 1, -1],
      [1, 1, 2],
      [-1, 2, 1],
    ];
    const sigma = [1, -1, 2];
    // pairs: (0,1): 1*1*-1 = -1 (bad), (0,2): -1*1*2 = -2 (bad), (1,2): 2*-1*2 = -4 (bad)
    const r = checkQuadraticSubmodularity(h, sigma);
    expect(r.violations.map((v) => [v.i, v.j, v.value])).toEqual([
      [0, 1, -1],
      [0, 2, -2],
      [1, 2, -4],
    ]);
    expect(r.offDiagonalPairs).toBe(3);
    // tolerance forgives the small ones only
    expect(checkQuadraticSubmodularity(h, sigma, { tolerance: 1.5 }).violations).toHaveLength(2);
  });

  it('ignores g and the diagonal, and zero products are allowed', () => {
    expect(
      checkQuadraticSubmodularity(
        [
          [-5, 0],
          [0, -7],
        ],
        [1, -1],
      ).submodular,
    ).toBe(true);
    expect(
      checkQuadraticSubmodularity(
        [
          [1, -3],
          [-3, 1],
        ],
        [0, 1],
      ).submodular,
    ).toBe(true);
  });

  it('validates inputs', () => {
    expect(() =>
      checkQuadraticSubmodularity(
        [
          [1, 2],
          [3, 1],
        ],
        [1, 1],
      ),
    ).toThrow(/^hessian: is not symmetric/);
    expect(() => checkQuadraticSubmodularity([[1]], [1, 2])).toThrow(/^hessian: is 1x1 but 2x2/);
    expect(() => checkQuadraticSubmodularity([[1]], [1], { tolerance: -1 })).toThrow(/^tolerance:/);
  });

  // Theorem 2 checked against brute force, both directions.
  it('agrees with the exhaustive generic check on random instances', () => {
    let violating = 0;
    let clean = 0;
    fc.assert(
      fc.property(
        arbQuadraticInstance({ minSize: 2, maxSize: 6 }),
        fc.boolean(),
        (q, makeSubmodular) => {
          // half the cases: flip off-diagonal signs to meet Theorem 2, so both outcomes are common
          const hessian = makeSubmodular
            ? q.hessian.map((row, i) =>
                row.map((x, j) => (i === j ? x : Math.abs(x) * Math.sign(q.sigma[i] * q.sigma[j]))),
              )
            : q.hessian;
          const exact = checkQuadraticSubmodularity(hessian, q.sigma);
          const f = createQuadraticObjective({ sigma: q.sigma, grad: q.grad, hessian });
          const brute = checkSubmodular(f, { mode: 'exhaustive', tolerance: 1e-9 });
          expect(brute.submodular).toBe(exact.submodular);
          if (exact.submodular) {
            clean++;
          } else {
            violating++;
            // the counterexample is genuine when re-evaluated
            const c = brute.counterexample!;
            expect(c.A.every((a) => c.B.includes(a))).toBe(true);
            expect(c.B.includes(c.e)).toBe(false);
            const gainA = f.evaluate([...c.A, c.e]) - f.evaluate([...c.A]);
            const gainB = f.evaluate([...c.B, c.e]) - f.evaluate([...c.B]);
            expect(gainB - gainA).toBeGreaterThan(1e-9);
            // and the worst pair violation shows up as {A} = {}, B = {j}, e = i
            const worst = Math.min(...exact.violations.map((v) => v.value));
            expect(c.gainB - c.gainA).toBeGreaterThanOrEqual(-worst - 1e-9);
          }
        },
      ),
      { numRuns: 120 },
    );
    expect(violating).toBeGreaterThan(10);
    expect(clean).toBeGreaterThan(10);
  });
});
