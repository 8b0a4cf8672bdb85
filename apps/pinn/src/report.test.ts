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
