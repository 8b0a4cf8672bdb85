import fc from 'fast-check';
import { createConcaveOfModular, createCoverage, createModular } from '@sublora/set-function';
import type { SetFunction } from '@sublora/set-function';
import { checkMonotone, checkSubmodular } from './generic-check';

/** f(S) = phi(|S|) on n elements, with phi given on 0..n. */
function cardinalityFunction(values: number[]): SetFunction {
  const n = values.length - 1;
  return {
    n,
    name: 'cardinality',
    evaluate: (set) => values[set.length],
    oracle: () => {
      throw new Error('not used by the checks');
    },
  };
}

/** Number of (A strictly inside B, e outside B) cases: sum over k = |B| of C(n, k) (2^k - 1) (n - k). */
function exhaustiveCases(n: number): number {
  let total = 0;
  let binom = 1;
  for (let k = 0; k <= n; k++) {
    total += binom * (2 ** k - 1) * (n - k);
    binom = (binom * (n - k)) / (k + 1);
  }
  return total;
}

describe('checkSubmodular', () => {
  it('accepts known submodular functions, exhaustively', () => {
    const cov = checkSubmodular(
      createCoverage([
        [0, 1],
        [1, 2],
        [2, 3],
        [0, 3],
      ]),
    );
    expect(cov).toMatchObject({ submodular: true, method: 'exhaustive', violations: 0 });
    expect(cov.checked).toBe(exhaustiveCases(4));
  });

  it('finds the worst counterexample of a supermodular function', () => {
    // phi(k) = k^2 is strictly supermodular: gain at B exceeds gain at A whenever |B| > |A|
    const f = cardinalityFunction([0, 1, 4, 9, 16]);
    const r = checkSubmodular(f);
    expect(r.submodular).toBe(false);
    expect(r.violations).toBe(r.checked);
    const c = r.counterexample!;
    expect(c.A).toEqual([]);
    expect(c.B).toHaveLength(3);
    expect(c.gainA).toBe(1);
    expect(c.gainB).toBe(7);
  });

  it('finds a counterexample by sampling on a large ground set', () => {
    const f = cardinalityFunction(Array.from({ length: 31 }, (_, k) => k * k));
    const r = checkSubmodular(f, { samples: 200, seed: 3 });
    expect(r.method).toBe('sampled');
    expect(r.checked).toBe(200);
    expect(r.submodular).toBe(false);
    const c = r.counterexample!;
    expect(c.A.every((a) => c.B.includes(a))).toBe(true);
    expect(c.A.length).toBeLessThan(c.B.length);
    expect(c.B.includes(c.e)).toBe(false);
    expect(c.gainB).toBeGreaterThan(c.gainA);
    // reproducible from the seed
    expect(checkSubmodular(f, { samples: 200, seed: 3 })).toEqual(r);
  });

  it('sampling accepts a large submodular function', () => {
    const w = Array.from({ length: 40 }, (_, i) => (i % 7) + 0.5);
    const r = checkSubmodular(createConcaveOfModular(w), { samples: 300 });
    expect(r).toMatchObject({ submodular: true, method: 'sampled', checked: 300 });
  });

  it('tolerance forgives small violations only', () => {
    const f = cardinalityFunction([0, 1, 2.001, 3.002]); // gains 1, 1.001, 1.001
    expect(checkSubmodular(f).submodular).toBe(false);
    expect(checkSubmodular(f, { tolerance: 0.01 }).submodular).toBe(true);
  });

  it('exhaustive and sampled agree with the definition on random cardinality functions', () => {
    // f(S) = phi(|S|) is submodular iff the increments of phi never increase.
    // Half-integer increments keep the arithmetic exact, so ties are real ties.
    const increment = fc.integer({ min: -4, max: 4 }).map((k) => k / 2);
    fc.assert(
      fc.property(fc.array(increment, { minLength: 2, maxLength: 7 }), (steps) => {
        const values = [0];
        for (const s of steps) values.push(values[values.length - 1] + s);
        const f = cardinalityFunction(values);
        const nonincreasing = steps.every((s, k) => k === 0 || s <= steps[k - 1]);
        const exhaustive = checkSubmodular(f);
        expect(exhaustive.submodular).toBe(nonincreasing);
        expect(exhaustive.checked).toBe(exhaustiveCases(steps.length));
        const sampled = checkSubmodular(f, { mode: 'sampled', samples: 500 });
        expect(sampled.submodular).toBe(nonincreasing);
      }),
      { numRuns: 60 },
    );
  });

  it('validates options', () => {
    const f = createModular(new Array(15).fill(1));
    expect(() => checkSubmodular(f, { mode: 'exhaustive' })).toThrow(
      /^mode: exhaustive needs n <= 14/,
    );
    expect(() => checkSubmodular(f, { samples: 0 })).toThrow(/^samples:/);
    expect(() => checkSubmodular(f, { tolerance: -1 })).toThrow(/^tolerance:/);
  });
});

describe('checkMonotone', () => {
  it('finds the most negative gain', () => {
    const r = checkMonotone(createModular([1, -1, -3]));
    expect(r).toMatchObject({ monotone: false, method: 'exhaustive' });
    expect(r.checked).toBe(3 * 4); // 2^n * n / 2 cases (A, e outside A)
    expect(r.counterexample!.e).toBe(2);
    expect(r.counterexample!.gain).toBe(-3);
    expect(r.violations).toBe(8);
  });

  it('accepts monotone functions exhaustively and by sampling', () => {
    expect(checkMonotone(createCoverage([[0], [0, 1], [2]])).monotone).toBe(true);
    const big = createConcaveOfModular(Array.from({ length: 30 }, (_, i) => i));
    expect(checkMonotone(big, { samples: 200 })).toMatchObject({
      monotone: true,
      method: 'sampled',
      checked: 200,
    });
  });

  it('finds a sampled counterexample', () => {
    const w = Array.from({ length: 30 }, (_, i) => (i === 17 ? -1 : 1));
    const r = checkMonotone(createModular(w), { samples: 500, seed: 1 });
    expect(r.monotone).toBe(false);
    expect(r.counterexample).toMatchObject({ e: 17, gain: -1 });
    expect(r.counterexample!.A.includes(17)).toBe(false);
  });
});
