import fc from 'fast-check';
import { createModular, createQuadraticObjective } from '@sublora/set-function';
import type { SetFunction } from '@sublora/set-function';
import {
  arbMonotoneSubmodular,
  arbQuadraticInstance,
  arbSubmodularInstance,
  buildSetFunction,
} from '@sublora/submodularity';
import { InputError } from '@sublora/tensor';
import {
  bruteForceMaximize,
  greedy,
  lazyGreedy,
  randomGreedy,
  removalGainsOf,
  stochasticGreedy,
} from './index';

const RUNS = { numRuns: 150 };

/** A submodular function plus a budget in [0, n]. */
const submodularWithBudget = arbSubmodularInstance({ maxSize: 7 }).chain((spec) => {
  const f = buildSetFunction(spec);
  return fc.tuple(fc.constant(spec), fc.integer({ min: 0, max: f.n }));
});

const monotoneWithBudget = arbMonotoneSubmodular({ maxSize: 7 }).chain((spec) => {
  const f = buildSetFunction(spec);
  return fc.tuple(fc.constant(spec), fc.integer({ min: 0, max: f.n }));
});

const anyQuadraticWithBudget = arbQuadraticInstance({ maxSize: 7 }).chain((q) =>
  fc.tuple(fc.constant(q), fc.integer({ min: 0, max: q.sigma.length })),
);

function expectValidSelection(
  f: SetFunction,
  budget: number,
  selected: readonly number[],
  value: number,
): void {
  expect(selected.length).toBeLessThanOrEqual(budget);
  expect(new Set(selected).size).toBe(selected.length);
  for (const e of selected) {
    expect(Number.isInteger(e) && e >= 0 && e < f.n).toBe(true);
  }
  expect(value).toBeCloseTo(f.evaluate([...selected]), 9);
}

describe('budget validation', () => {
  const f = createModular([1, 2, 3]);
  it.each([-1, 4, 1.5, NaN])('rejects budget %p with an InputError naming budget', (b) => {
    for (const solve of [
      () => greedy(f, b),
      () => lazyGreedy(f, b),
      () => stochasticGreedy(f, b),
      () => randomGreedy(f, b),
    ]) {
      expect(solve).toThrow(InputError);
      expect(solve).toThrow(/^budget: /);
    }
  });

  it('accepts 0 and n', () => {
    expect(greedy(f, 0).selected).toEqual([]);
    expect(greedy(f, 3).selected).toEqual([2, 1, 0]);
  });
});

describe('greedy', () => {
  it('picks by largest gain with lowest-index ties and reports the trace', () => {
    const f = createModular([2, 5, 5, -1]);
    const result = greedy(f, 3);
    expect(result.selected).toEqual([1, 2, 0]);
    expect(result.gains).toEqual([5, 5, 2]);
    expect(result.value).toBe(12);
    expect(result.normalizedValue).toBe(12);
    expect(result.steps).toBe(3);
    // For a modular f the bound at the empty set is exactly OPT.
    expect(result.upperBound).toBe(12);
    expect(result.boundRatio).toBe(1);
  });

  it('fills the budget with negative gains unless stopWhenNonPositive', () => {
    const f = createModular([1, -2, -3]);
    expect(greedy(f, 2).selected).toEqual([0, 1]);
    expect(greedy(f, 2, { stopWhenNonPositive: true }).selected).toEqual([0]);
  });

  it('normalizes by f(empty) for the quadratic objective (toy example)', () => {
    const f = createQuadraticObjective({
      sigma: [1, 2.1],
      grad: [-0.2, 0.2],
      hessian: [
        [2, -2],
        [-2, 2],
      ],
    });
    const result = greedy(f, 1);
    expect(result.selected).toEqual([1]);
    expect(result.emptyValue).toBeCloseTo(-0.99, 12);
    expect(result.value).toBeCloseTo(-1.2, 12);
    expect(result.normalizedValue).toBeCloseTo(-0.21, 12);
  });

  it('returns valid selections on arbitrary quadratic functions', () => {
    fc.assert(
      fc.property(anyQuadraticWithBudget, ([q, b]) => {
        const f = createQuadraticObjective(q);
        const r = greedy(f, b);
        expectValidSelection(f, b, r.selected, r.value);
        expect(r.selected.length).toBe(b);
      }),
      RUNS,
    );
  });

  it('has non-increasing gains on submodular functions', () => {
    fc.assert(
      fc.property(submodularWithBudget, ([spec, b]) => {
        const r = greedy(buildSetFunction(spec), b);
        for (let k = 1; k < r.gains.length; k++) {
          expect(r.gains[k]).toBeLessThanOrEqual(
            r.gains[k - 1] + 1e-12 * (1 + Math.abs(r.gains[k - 1])),
          );
        }
      }),
      RUNS,
    );
  });

  it('is (1 - 1/e)-optimal on normalized monotone submodular functions', () => {
    fc.assert(
      fc.property(monotoneWithBudget, ([spec, b]) => {
        const f = buildSetFunction(spec);
        expect(f.evaluate([])).toBe(0);
        const opt = bruteForceMaximize(f, b);
        const r = greedy(f, b);
        expect(r.value).toBeGreaterThanOrEqual((1 - 1 / Math.E) * opt.value - 1e-9);
      }),
      RUNS,
    );
  });

  it('returns an upper bound on OPT for monotone submodular functions', () => {
    fc.assert(
      fc.property(monotoneWithBudget, ([spec, b]) => {
        const f = buildSetFunction(spec);
        const opt = bruteForceMaximize(f, b);
        const r = greedy(f, b);
        expect(r.boundAssumption).toBe('monotone-submodular');
        expect(r.upperBound).toBeGreaterThanOrEqual(opt.value - 1e-9);
        expect(r.upperBound).toBeGreaterThanOrEqual(r.value - 1e-9);
        expect(r.boundRatio).toBeLessThanOrEqual(1 + 1e-9);
      }),
      RUNS,
    );
  });

  it('returns an upper bound on OPT for non-monotone submodular functions given removal gains', () => {
    fc.assert(
      fc.property(submodularWithBudget, ([spec, b]) => {
        const f = buildSetFunction(spec);
        const opt = bruteForceMaximize(f, b);
        const r = greedy(f, b, { removalGains: removalGainsOf(f) });
        expect(r.boundAssumption).toBe('submodular');
        expect(r.upperBound).toBeGreaterThanOrEqual(opt.value - 1e-9);
      }),
      RUNS,
    );
  });

  it('needs the removal gains on non-monotone functions: the plain Minoux bound can undercut OPT', () => {
    // Submodular (every M_ij sigma_i sigma_j >= 0) but not monotone: f(empty) = -12,
    // f({0}) = 18 = OPT for budget 2, f({1}) = f({2}) = -1, f({0,1}) = f({0,2}) = 9,
    // f({1,2}) = 10. Greedy fills the budget with {0, 1} (value 9); no gain is positive
    // there, so the plain bound at S_2 is 9 < 18. The removal gains (-10, -9, -9) add
    // a penalty of 19 there and restore validity.
    const f = createQuadraticObjective({
      sigma: [1, 1, 1],
      grad: [0, 0, 0],
      hessian: [
        [-20, 20, 20],
        [20, -18, 0],
        [20, 0, -18],
      ],
    });
    const opt = bruteForceMaximize(f, 2);
    const plain = greedy(f, 2);
    const withRemoval = greedy(f, 2, { removalGains: removalGainsOf(f) });
    expect(withRemoval.upperBound).toBeGreaterThanOrEqual(opt.value - 1e-9);
    expect(plain.upperBound).toBeLessThan(opt.value);
  });
});

describe('lazyGreedy', () => {
  it('equals greedy (picks, gains, value) on submodular functions', () => {
    fc.assert(
      fc.property(submodularWithBudget, fc.boolean(), ([spec, b], stop) => {
        const f = buildSetFunction(spec);
        const eager = greedy(f, b, { stopWhenNonPositive: stop });
        const lazy = lazyGreedy(f, b, { stopWhenNonPositive: stop });
        expect(lazy.selected).toEqual(eager.selected);
        expect(lazy.gains).toEqual(eager.gains);
        expect(lazy.value).toBe(eager.value);
        expect(lazy.upperBound).toBeGreaterThanOrEqual(eager.upperBound - 1e-9);
      }),
      RUNS,
    );
  });

  it('breaks ties by lowest index like greedy', () => {
    const f = createModular([1, 3, 3, 3, 2]);
    expect(lazyGreedy(f, 4).selected).toEqual([1, 2, 3, 4]);
  });
});

describe('stochasticGreedy', () => {
  it('equals greedy on submodular functions when the sample covers the ground set', () => {
    fc.assert(
      fc.property(submodularWithBudget, fc.integer(), ([spec, b], seed) => {
        const f = buildSetFunction(spec);
        // ln(1 / 1e-300) = 690 >= b, so every sample holds every remaining element.
        const s = stochasticGreedy(f, b, { epsilon: 1e-300, seed });
        expect(s.selected).toEqual(greedy(f, b).selected);
      }),
      RUNS,
    );
  });

  it('is reproducible from its seed and returns valid selections', () => {
    fc.assert(
      fc.property(anyQuadraticWithBudget, fc.integer(), ([q, b], seed) => {
        const f = createQuadraticObjective(q);
        const a = stochasticGreedy(f, b, { epsilon: 0.5, seed });
        expect(stochasticGreedy(f, b, { epsilon: 0.5, seed })).toEqual(a);
        expectValidSelection(f, b, a.selected, a.value);
      }),
      RUNS,
    );
  });

  it('rejects epsilon outside (0, 1)', () => {
    expect(() => stochasticGreedy(createModular([1]), 1, { epsilon: 1 })).toThrow(/^epsilon: /);
  });
});

describe('randomGreedy', () => {
  it.each(['proportional', 'top-k'] as const)(
    '%s is reproducible and returns valid selections',
    (rule) => {
      fc.assert(
        fc.property(anyQuadraticWithBudget, fc.integer(), ([q, b], seed) => {
          const f = createQuadraticObjective(q);
          const a = randomGreedy(f, b, { rule, seed });
          expect(randomGreedy(f, b, { rule, seed })).toEqual(a);
          expectValidSelection(f, b, a.selected, a.value);
          if (rule === 'proportional') expect(a.selected.length).toBe(b);
          for (const g of rule === 'top-k' ? a.gains : []) expect(g).toBeGreaterThan(0);
        }),
        RUNS,
      );
    },
  );

  it('proportional draws the first pick with probability proportional to its gain', () => {
    const weights = [1.2, 3.99, 0, -1];
    const f = createModular(weights);
    const trials = 4000;
    let ones = 0;
    for (let seed = 0; seed < trials; seed++) {
      const first = randomGreedy(f, 1, { seed }).selected[0];
      expect(first === 0 || first === 1).toBe(true);
      if (first === 1) ones++;
    }
    const p = 3.99 / 5.19;
    const sd = Math.sqrt(trials * p * (1 - p));
    expect(Math.abs(ones - trials * p)).toBeLessThan(4 * sd);
  });

  it('proportional takes the largest gain when none is positive, or stops if asked', () => {
    const f = createModular([-3, -1, -2]);
    expect(randomGreedy(f, 2, { seed: 5 }).selected).toEqual([1, 2]);
    expect(randomGreedy(f, 2, { seed: 5, stopWhenNonPositive: true }).selected).toEqual([]);
  });

  it('top-k draws uniformly among the k best positive gains, dummies included', () => {
    // Two positive gains, k = 4: each real element with probability 1/4 per step, a dummy with 1/2.
    const f = createModular([5, -1, 2, -3, -4, -5]);
    const trials = 4000;
    let empty = 0;
    for (let seed = 0; seed < trials; seed++) {
      const r = randomGreedy(f, 4, { rule: 'top-k', seed });
      for (const e of r.selected) expect([0, 2]).toContain(e);
      if (r.selected.length === 0) empty++;
    }
    // P(no pick in 4 steps) = (1/2)^4 = 1/16.
    const p = 1 / 16;
    expect(Math.abs(empty - trials * p)).toBeLessThan(4 * Math.sqrt(trials * p * (1 - p)));
  });

  it('rejects an unknown rule', () => {
    expect(() => randomGreedy(createModular([1]), 1, { rule: 'uniform' as never })).toThrow(
      /^rule: /,
    );
  });
});
