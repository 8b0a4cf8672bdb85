import fc from 'fast-check';
import { bootstrapMeanCi, quantileSorted } from './bootstrap';
import { pairedComparison } from './paired-comparison';
import { averageRanks, meanRanks } from './ranks';

// Reference values below were computed once with SciPy 1.10.1 (Debian's
// python3-scipy) by the calls named beside them.

describe('averageRanks', () => {
  it('matches scipy.stats.rankdata(method="average")', () => {
    // scipy.stats.rankdata([0.3, 0.1, 0.3, 0.2, 0.1, 0.3], method='average')
    expect(averageRanks([0.3, 0.1, 0.3, 0.2, 0.1, 0.3])).toEqual([5, 1.5, 5, 3, 1.5, 5]);
  });

  it('sums to n(n+1)/2 and gives equal values equal ranks (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 30 }),
        (xs) => {
          const r = averageRanks(xs);
          const n = xs.length;
          expect(r.reduce((a, b) => a + b, 0)).toBeCloseTo((n * (n + 1)) / 2, 9);
          xs.forEach((x, i) =>
            xs.forEach((y, j) => {
              if (x === y) expect(r[i]).toBe(r[j]);
              if (x < y) expect(r[i]).toBeLessThan(r[j]);
            }),
          );
        },
      ),
    );
  });

  it('does not depend on the order of the methods (ties are not broken by position)', () => {
    expect(averageRanks([0.2, 0.2])).toEqual([1.5, 1.5]);
  });

  it('rejects a non-finite value with one line', () => {
    expect(() => averageRanks([1, NaN])).toThrow(
      'values: entry 1 is NaN; drop failed runs before computing statistics',
    );
  });
});

describe('meanRanks', () => {
  it('matches scipy.stats.rankdata(E, axis=1).mean(axis=0)', () => {
    const errors = [
      [0.1, 0.2, 0.2, 0.4],
      [0.3, 0.1, 0.2, 0.2],
      [0.5, 0.5, 0.5, 0.1],
    ];
    const expected = [2.6666666666666665, 2.1666666666666665, 2.6666666666666665, 2.5];
    meanRanks(errors).forEach((r, m) => expect(r).toBeCloseTo(expected[m], 14));
  });

  it('rejects ragged rows', () => {
    expect(() => meanRanks([[1, 2], [1]])).toThrow('errors: cell 1 has 1 methods, cell 0 has 2');
  });
});

describe('pairedComparison', () => {
  it('matches SciPy on pairs without ties (exact Wilcoxon)', () => {
    const a = [0.12, 0.3, 0.25, 0.41, 0.18, 0.09, 0.33, 0.27];
    const b = [0.15, 0.28, 0.31, 0.52, 0.22, 0.11, 0.3, 0.35];
    const c = pairedComparison(a, b);
    expect([c.wins, c.ties, c.losses, c.n]).toEqual([6, 0, 2, 8]);
    // scipy.stats.wilcoxon(a, b, method='exact').pvalue
    expect(c.wilcoxonP).toBeCloseTo(0.078125, 12);
    // scipy.stats.binomtest(6, 8, 0.5).pvalue
    expect(c.signTestP).toBeCloseTo(0.2890625, 12);
    // numpy.mean(numpy.subtract(a, b))
    expect(c.meanDifference).toBeCloseTo(-0.03625, 12);
  });

  it('matches SciPy with tied and zero differences (normal approximation)', () => {
    const a = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const b = [2, 2, 5, 3, 7, 6, 9, 10, 8, 12];
    const c = pairedComparison(a, b);
    expect([c.wins, c.ties, c.losses]).toEqual([6, 2, 2]);
    // scipy.stats.wilcoxon(a, b, method='approx', correction=False).pvalue
    expect(c.wilcoxonP).toBeCloseTo(0.043308142810791955, 10);
    // scipy.stats.binomtest(2, 8, 0.5).pvalue (symmetric: same as 6 of 8)
    expect(c.signTestP).toBeCloseTo(0.2890625, 12);
  });

  it('matches SciPy above 50 pairs (normal approximation)', () => {
    const d = Array.from({ length: 60 }, (_, k) => ((((k + 1) * 37) % 61) - 20.25) / 100);
    const zeros = d.map(() => 0);
    const c = pairedComparison(d, zeros);
    expect([c.wins, c.losses]).toEqual([20, 40]);
    // scipy.stats.wilcoxon(d, np.zeros(60), method='approx', correction=False).pvalue
    expect(c.wilcoxonP).toBeCloseTo(0.00014990574129693715, 12);
    // scipy.stats.binomtest(20, 60, 0.5).pvalue
    expect(c.signTestP).toBeCloseTo(0.01348929373119186, 12);
  });

  it('takes a single pair (one cell): both exact two-sided p-values are 1', () => {
    // scipy.stats.binomtest(1, 1).pvalue == 1.0; the signed-rank null puts 1/2 on each sign
    const c = pairedComparison([0.1], [0.2]);
    expect([c.wins, c.ties, c.losses, c.signTestP, c.wilcoxonP]).toEqual([1, 0, 0, 1, 1]);
  });

  it('is symmetric: swapping the methods swaps wins and losses, p-values stay (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 9 })), {
          minLength: 2,
          maxLength: 20,
        }),
        (pairs) => {
          const a = pairs.map((p) => p[0] / 10);
          const b = pairs.map((p) => p[1] / 10);
          const ab = pairedComparison(a, b);
          const ba = pairedComparison(b, a);
          expect([ba.wins, ba.ties, ba.losses]).toEqual([ab.losses, ab.ties, ab.wins]);
          expect(ba.signTestP).toBeCloseTo(ab.signTestP, 12);
          expect(ba.wilcoxonP).toBeCloseTo(ab.wilcoxonP, 12);
          expect(ab.wilcoxonP).toBeGreaterThanOrEqual(0);
          expect(ab.wilcoxonP).toBeLessThanOrEqual(1);
        },
      ),
    );
  });

  it('reports no evidence when every pair is tied', () => {
    expect(pairedComparison([1, 2], [1, 2])).toMatchObject({
      wins: 0,
      ties: 2,
      losses: 0,
      signTestP: 1,
      wilcoxonP: 1,
    });
  });

  it('rejects unpaired input with one line', () => {
    expect(() => pairedComparison([1, 2], [1])).toThrow('b: has 1 cells, a has 2; pair every cell');
    expect(() => pairedComparison([1, Infinity], [1, 2])).toThrow('a: entry 1 is Infinity');
  });
});

describe('bootstrapMeanCi', () => {
  const x = [0.21, 0.35, 0.18, 0.44, 0.29, 0.31, 0.25, 0.52, 0.19, 0.38];

  it('agrees with scipy.stats.bootstrap to within Monte Carlo error', () => {
    // scipy.stats.bootstrap((x,), np.mean, n_resamples=200000, method='percentile',
    //   confidence_level=0.95, random_state=np.random.default_rng(0)) -> (0.249, 0.38)
    const ci = bootstrapMeanCi(x, { seed: 42, resamples: 200_000 });
    expect(ci.mean).toBeCloseTo(0.312, 12);
    // the means of 10 values of two decimals lie on a 0.001 grid; allow two steps
    expect(Math.abs(ci.lower - 0.249)).toBeLessThanOrEqual(0.002);
    expect(Math.abs(ci.upper - 0.38)).toBeLessThanOrEqual(0.002);
  });

  it('is reproducible for a seed and changes with it', () => {
    const a = bootstrapMeanCi(x, { seed: 7, resamples: 500 });
    expect(bootstrapMeanCi(x, { seed: 7, resamples: 500 })).toEqual(a);
    expect(bootstrapMeanCi(x, { seed: 8, resamples: 500 })).not.toEqual(a);
  });

  it('matches the exact bootstrap distribution of two values', () => {
    // resampled means of {0, 1}: 0 w.p. 1/4, 0.5 w.p. 1/2, 1 w.p. 1/4
    const ci = bootstrapMeanCi([0, 1], { seed: 3, resamples: 4000, confidence: 0.4 });
    expect([ci.lower, ci.upper]).toEqual([0.5, 0.5]);
    const wide = bootstrapMeanCi([0, 1], { seed: 3, resamples: 4000, confidence: 0.9 });
    expect([wide.lower, wide.upper]).toEqual([0, 1]);
  });

  it('rejects bad options with one line', () => {
    expect(() => bootstrapMeanCi([], { seed: 1 })).toThrow('values: empty');
    expect(() => bootstrapMeanCi([1], { seed: 0 })).toThrow('seed: 0: use a whole number');
    expect(() => bootstrapMeanCi([1], { seed: 1, confidence: 1 })).toThrow('confidence: 1:');
  });
});

describe('quantileSorted', () => {
  it('interpolates like numpy.percentile (linear)', () => {
    // numpy.percentile([1, 2, 4, 8], [0, 25, 50, 90, 100]) -> [1, 1.75, 3, 6.8, 8]
    expect([0, 0.25, 0.5, 0.9, 1].map((q) => quantileSorted([1, 2, 4, 8], q))).toEqual([
      1,
      1.75,
      3,
      expect.closeTo(6.8, 12),
      8,
    ]);
  });
});
