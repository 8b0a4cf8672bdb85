import { buildReport } from './report';
import { type DeterminationRow, emptyResults } from './results';

const row = (method: string, lossAfter: number, relErrorAfter: number): DeterminationRow => ({
  method,
  budget: 2,
  kept: [0, 1],
  perLayer: [1, 1],
  lossAfter,
  relErrorAfter,
  predictedIncrease: 0.5,
  measuredIncrease: 0.4,
  seconds: 0.001,
  rawSubmodular: false,
});

describe('the determination report', () => {
  const results = emptyResults();
  results.determination['elliptic/1_1/seed0'] = {
    pde: 'elliptic',
    seed: 0,
    lambda: [1, 1],
    lossFinetuned: 0.1,
    relErrorFinetuned: 0.01,
    derivativeSeconds: 0.2,
    curvature: {
      gradNorm: 0.25,
      eigenMin: -2,
      eigenMax: 8,
      conditionNumber: 16,
      negativeEigenvalues: 1,
      projectionZeroedShare: 0.25,
      projectionFrobeniusShare: 0.125,
    },
    rows: [row('linear', 0.3, 0.05), row('sublora-g', 0.2, 0.07)],
  };
  const report = buildReport(results, []);

  it('tabulates the curvature of each fine-tuned model', () => {
    expect(report).toContain('**Curvature at the fine-tuned point');
    expect(report).toContain('| 0 | 2.50E-1 | -2.00E+0 | 8.00E+0 | 1.60E+1 | 1 | 25.00 | 12.50 |');
  });

  it('gives the relative error of the predicted loss change', () => {
    expect(report).toContain('|predicted - measured| / |measured|');
    expect(report).toContain('| linear | 2.50E-1 |'); // |0.5 - 0.4| / 0.4
  });

  it('says where the lowest loss and the lowest error pick different methods', () => {
    expect(report).toContain(
      "- Budget 2: the lowest loss after pruning is `sublora-g`'s, the lowest error `linear`'s",
    );
  });
});

describe('the comparison across the grid', () => {
  const results = emptyResults();
  const alternating = (method: string, seed: number, finalRelError: number) => ({
    pde: 'elliptic',
    seed,
    lambda: [1, 1],
    method,
    budget: 2,
    finalLoss: 0.1,
    finalRelError,
    perLayer: [1, 1],
    trajectory: [],
    seconds: 1,
  });
  // linear is worse by 4, 5 and 6 points: distinct differences, so the exact Wilcoxon test applies
  [0.1, 0.2, 0.3].forEach((e, seed) => {
    results.alternating[`elliptic/1_1/sublora-g/seed${seed}`] = alternating('sublora-g', seed, e);
    results.alternating[`elliptic/1_1/linear/seed${seed}`] = alternating(
      'linear',
      seed,
      e + 0.04 + 0.01 * seed,
    );
  });
  const report = buildReport(results, []);

  it('ranks methods per cell and tests SubLoRA-G against each in paired cells', () => {
    expect(report).toContain('## Comparing methods across the grid');
    // three cells, SubLoRA-G lower in each: ranks 1 and 2, 3 wins; exact two-sided p = 2 / 2^3
    // for both tests (scipy.stats.binomtest(3, 3), scipy.stats.wilcoxon([-.04, -.05, -.06]))
    expect(report).toContain('| sublora-g | 1.00 | - | - | - | - |');
    expect(report).toContain('| linear | 2.00 | 3 / 0 / 0 | -5.00 | 0.250 | 0.250 |');
  });

  it('gives a bootstrap interval of the mean error per PDE, target and method', () => {
    expect(report).toMatch(
      /\| elliptic \| \(1, 1\) \| sublora-g \| 3 \| 20\.00 \| \[10\.00, 30\.00\] \|/,
    );
  });
});
