import fc from 'fast-check';
import { createModular, createQuadraticObjective } from '@sublora/set-function';
import {
  arbQuadraticInstance,
  arbSubmodularInstance,
  buildSetFunction,
} from '@sublora/submodularity';
import { InputError } from '@sublora/tensor';
import {
  bruteForceMaximize,
  countSubsets,
  exactMaximize,
  greedy,
  quadraticSecondDifferences,
} from './index';
import type { Cardinality } from './index';

const RUNS = { numRuns: 150 };
const cardinality = fc.constantFrom<Cardinality>('atMost', 'exactly');

const quadraticWithBudget = arbQuadraticInstance({ maxSize: 8 }).chain((q) =>
  fc.tuple(fc.constant(q), fc.integer({ min: 0, max: q.sigma.length })),
);

describe('bruteForceMaximize', () => {
  it('finds the best set by enumeration', () => {
    const f = createModular([2, -1, 3, 0.5]);
    expect(bruteForceMaximize(f, 2).selected).toEqual([0, 2]);
    expect(bruteForceMaximize(f, 4).value).toBe(5.5);
    expect(bruteForceMaximize(createModular([-1, -2]), 1).selected).toEqual([]);
    expect(bruteForceMaximize(createModular([-1, -2]), 1, 'exactly').selected).toEqual([0]);
  });
});

describe('exactMaximize', () => {
  it('equals brute force on the raw (non-submodular) quadratic with the pairwise bound', () => {
    fc.assert(
      fc.property(quadraticWithBudget, cardinality, ([q, b], card) => {
        const f = createQuadraticObjective(q);
        const truth = bruteForceMaximize(f, b, card);
        const bound = {
          kind: 'pairwise' as const,
          secondDifferences: quadraticSecondDifferences(q.sigma, q.hessian),
        };
        const exact = exactMaximize(f, b, { cardinality: card, bound });
        expect(exact.value).toBeCloseTo(truth.value, 9);
        expect(f.evaluate([...exact.selected])).toBeCloseTo(exact.value, 9);
        if (card === 'exactly') expect(exact.selected.length).toBe(b);
        else expect(exact.selected.length).toBeLessThanOrEqual(b);
      }),
      RUNS,
    );
  });

  it('equals brute force on any function without a bound (exhaustive)', () => {
    fc.assert(
      fc.property(quadraticWithBudget, cardinality, ([q, b], card) => {
        const f = createQuadraticObjective(q);
        expect(exactMaximize(f, b, { cardinality: card }).value).toBeCloseTo(
          bruteForceMaximize(f, b, card).value,
          9,
        );
      }),
      RUNS,
    );
  });

  it('equals brute force on submodular functions with the submodular bound', () => {
    fc.assert(
      fc.property(
        arbSubmodularInstance({ maxSize: 8 }).chain((spec) =>
          fc.tuple(fc.constant(spec), fc.integer({ min: 0, max: buildSetFunction(spec).n })),
        ),
        cardinality,
        ([spec, b], card) => {
          const f = buildSetFunction(spec);
          const exact = exactMaximize(f, b, { cardinality: card, bound: { kind: 'submodular' } });
          expect(exact.value).toBeCloseTo(bruteForceMaximize(f, b, card).value, 9);
        },
      ),
      RUNS,
    );
  });

  it('the second differences of the quadratic objective are exact', () => {
    fc.assert(
      fc.property(arbQuadraticInstance({ minSize: 2, maxSize: 5 }), (q) => {
        const f = createQuadraticObjective(q);
        const d = quadraticSecondDifferences(q.sigma, q.hessian);
        const n = q.sigma.length;
        // Around S = {} and S = {2..} where it exists.
        const base = n > 2 ? [2] : [];
        const second =
          f.evaluate([...base, 0, 1]) -
          f.evaluate([...base, 0]) -
          f.evaluate([...base, 1]) +
          f.evaluate(base);
        expect(d.data[1]).toBeCloseTo(second, 9);
        expect(d.data[n]).toBeCloseTo(second, 9);
      }),
      RUNS,
    );
  });

  it('solves the paper toy example: exactly one kept gives [1], at most one gives []', () => {
    const toy = {
      sigma: [1, 2.1],
      grad: [-0.2, 0.2],
      hessian: [
        [2, -2],
        [-2, 2],
      ],
    };
    const f = createQuadraticObjective(toy);
    const bound = {
      kind: 'pairwise' as const,
      secondDifferences: quadraticSecondDifferences(toy.sigma, toy.hessian),
    };
    expect(exactMaximize(f, 1, { cardinality: 'exactly', bound }).selected).toEqual([1]);
    // Pruning both predicts a loss increase of 0.99 < 1.2: the empty set wins under |S| <= 1.
    expect(exactMaximize(f, 1, { bound }).selected).toEqual([]);
  });

  it('handles r = 30, b = 8 with the pairwise bound and beats or matches greedy', () => {
    const r = 30;
    let state = 12345;
    const rand = (): number => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const sigma = Array.from({ length: r }, () => 0.5 + rand());
    const grad = Array.from({ length: r }, () => 0.2 * (rand() - 0.5));
    const a = Array.from({ length: r }, () => Array.from({ length: r }, () => rand() - 0.5));
    const hessian = a.map((ri, i) =>
      a.map((_, j) => ri.reduce((s, v, k) => s + v * a[j][k], 0) / r + (i === j ? 0.1 : 0)),
    );
    const f = createQuadraticObjective({ sigma, grad, hessian });
    const bound = {
      kind: 'pairwise' as const,
      secondDifferences: quadraticSecondDifferences(sigma, hessian),
    };
    const exact = exactMaximize(f, 8, { cardinality: 'exactly', bound });
    expect(exact.selected.length).toBe(8);
    expect(exact.value).toBeGreaterThanOrEqual(greedy(f, 8).value - 1e-12);
    expect(exact.nodes).toBeLessThan(countSubsets(r, 8, 'exactly'));
  });

  it('searches the same sets and proves the same optimum whatever the scale of g and H', () => {
    const r = 20;
    let state = 777;
    const rand = (): number => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const sigma = Array.from({ length: r }, () => 0.1 + 3 * rand());
    const grad = Array.from({ length: r }, () => 2 * rand() - 1);
    const a = Array.from({ length: r }, () => Array.from({ length: r }, () => 0.6 * rand() - 0.3));
    const hessian = a.map((row, i) =>
      row.map((_, j) => (i === j ? 1 + 2 * rand() : a[Math.min(i, j)][Math.max(i, j)])),
    );
    const solve = (c: number) => {
      const h = hessian.map((row) => row.map((v) => v * c));
      const f = createQuadraticObjective({ sigma, grad: grad.map((v) => v * c), hessian: h });
      const bound = {
        kind: 'pairwise' as const,
        secondDifferences: quadraticSecondDifferences(sigma, h),
      };
      return exactMaximize(f, 6, { bound, maxNodes: 200_000 });
    };
    const base = solve(1);
    expect(base.complete).toBe(true);
    for (const c of [1e-12, 1e12]) {
      const scaled = solve(c);
      // the allowance for round-off scales with the terms: at 1e-12 an absolute one made
      // every bound too loose to prune, and the search ran into maxNodes
      expect([c, scaled.complete, scaled.nodes, scaled.selected]).toEqual([
        c,
        true,
        base.nodes,
        base.selected,
      ]);
    }
  });

  it('states its limits with clear errors', () => {
    const big = createModular(new Array(65).fill(1));
    expect(() => exactMaximize(big, 2)).toThrow(InputError);
    expect(() => exactMaximize(big, 2)).toThrow(/^f: has 65 elements/);
    const mid = createModular(new Array(40).fill(1));
    expect(() => exactMaximize(mid, 20)).toThrow(/^budget: exhaustive search/);
    expect(() => exactMaximize(mid, 41)).toThrow(/^budget: /);
    expect(() => exactMaximize(mid, 2, { cardinality: 'some' as never })).toThrow(/^cardinality: /);
    expect(() => bruteForceMaximize(mid, 20)).toThrow(/^budget: brute force/);
  });

  it('at maxNodes returns the best set found with a bound that covers the optimum', () => {
    fc.assert(
      fc.property(
        quadraticWithBudget,
        cardinality,
        fc.integer({ min: 1, max: 30 }),
        ([q, b], card, maxNodes) => {
          const f = createQuadraticObjective(q);
          const bound = {
            kind: 'pairwise' as const,
            secondDifferences: quadraticSecondDifferences(q.sigma, q.hessian),
          };
          const result = exactMaximize(f, b, { cardinality: card, bound, maxNodes });
          const truth = bruteForceMaximize(f, b, card);
          expect(result.value).toBeCloseTo(f.evaluate(result.selected), 9);
          expect(result.value).toBeLessThanOrEqual(truth.value + 1e-9);
          expect(result.upperBound).toBeGreaterThanOrEqual(truth.value - 1e-9);
          expect(result.gap).toBeCloseTo(result.upperBound - result.value, 12);
          if (result.complete) expect(result.value).toBeCloseTo(truth.value, 9);
          else expect(result.nodes).toBeLessThanOrEqual(maxNodes);
        },
      ),
      RUNS,
    );
  });

  it('answers 64 elements, budget 32 with all-equal gains within a tiny certified gap (was an error)', () => {
    // Identity Hessian, sigma = 1, grad = 0: every 32-subset ties, so the bound never prunes.
    const r = 64;
    const sigma = new Float64Array(r).fill(1);
    const hessian = { data: new Float64Array(r * r), size: r };
    for (let i = 0; i < r; i++) hessian.data[i * r + i] = 1;
    const f = createQuadraticObjective({ sigma, grad: new Float64Array(r), hessian });
    const bound = {
      kind: 'pairwise' as const,
      secondDifferences: quadraticSecondDifferences(sigma, hessian),
    };
    const result = exactMaximize(f, 32, { cardinality: 'exactly', bound, maxNodes: 5000 });
    expect(result.selected).toHaveLength(32);
    expect(result.complete).toBe(false);
    expect(result.value).toBeCloseTo(-16, 9); // every 32-subset prunes 32 values at 1/2 each
    expect(result.gap).toBeGreaterThanOrEqual(0);
    expect(result.gap).toBeLessThan(1e-6);
  });

  it('countSubsets counts', () => {
    expect(countSubsets(5, 2, 'atMost')).toBe(1 + 5 + 10);
    expect(countSubsets(5, 2, 'exactly')).toBe(10);
    expect(countSubsets(5, 0, 'exactly')).toBe(1);
  });
});
