import { compareRuns } from './compare';
import { resolveConfig } from './config';
import type { AlternatingResult, FinetuneResult, Results } from './results';
import { emptyResults } from './results';

const finetune = (seed: number, extra: Partial<FinetuneResult> = {}): FinetuneResult => ({
  pde: 'elliptic',
  seed,
  lambda: [1, 1],
  loss: 0.5 + seed,
  terms: {},
  relErrorPretrained: 0.6,
  relErrorFinetuned: 0.01 * (seed + 1),
  converged: true,
  seconds: 4 + seed,
  ...extra,
});

const alternating = (seed: number, method: string): AlternatingResult => ({
  pde: 'elliptic',
  seed,
  lambda: [1, 1],
  method,
  budget: 6,
  finalLoss: 1,
  finalRelError: 0.1,
  perLayer: [4, 2],
  trajectory: [],
  seconds: 1,
});

describe('compareRuns', () => {
  it('adds the error after SubLoRA-G pruning per budget when runs determined ranks', () => {
    const row = (budget: number, relErrorAfter: number) => ({
      method: 'sublora-g',
      budget,
      kept: [],
      perLayer: [],
      lossAfter: 0,
      relErrorAfter,
      predictedIncrease: 0,
      measuredIncrease: 0,
      seconds: 0,
      rawSubmodular: true,
    });
    const det = (seed: number, errors: number[]) => ({
      pde: 'elliptic',
      seed,
      lambda: [1, 1],
      lossFinetuned: 0,
      relErrorFinetuned: 0,
      derivativeSeconds: 0,
      rows: [row(3, errors[0]), row(6, errors[1]), { ...row(6, 9), method: 'magnitude' }],
    });
    const results: Results = {
      ...emptyResults(),
      determination: { a: det(0, [0.2, 0.1]), b: det(1, [0.4, 0.1]) },
    };
    const lines = compareRuns([{ name: 'x', results }]).split('\n');
    const at = lines.indexOf('### elliptic, lambda = (1, 1): rel (%) after sublora-g pruning');
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 2]).toBe('| run | b = 3 | b = 6 |');
    expect(lines[at + 4]).toBe('| x | 30.00 ± 14.14 | 10.00 ± 0.00 |');
  });

  it('puts each adapter and each alternating method of several runs in one table', () => {
    const geo: Results = {
      ...emptyResults(),
      config: resolveConfig('small', {
        adapter: 'geolora',
        'geolora.truncation': 'budget-sublora-g',
        'geolora.budget': 6,
        'geolora.optimizer': 'adam',
        'geolora.augmentEvery': 10,
      }),
      finetune: {
        a: finetune(0, { ranks: [4, 2] }),
        b: finetune(1, { ranks: [3, 3] }),
      },
    };
    const lora: Results = {
      ...emptyResults(),
      config: resolveConfig('small'),
      finetune: { a: finetune(0), b: finetune(1) },
      alternating: {
        a: alternating(0, 'sublora-g'),
        b: alternating(1, 'sublora-g'),
        c: alternating(0, 'adalora-cubic'),
      },
    };
    const text = compareRuns([
      { name: 'geo', results: geo },
      { name: 'lora', results: lora },
    ]);
    const lines = text.split('\n');
    expect(lines[0]).toBe('### elliptic, lambda = (1, 1)');
    expect(lines).toContain(
      '| geo | geolora budget-sublora-g b=6, rmax 8, adam/10 | 4/2; 3/3 | 6.0 | 1.00E+0 ± 7.07E-1 | 1.50 ± 0.71 | 4.5 ± 0.7 |',
    );
    expect(lines).toContain(
      '| lora | lora-svd rank 8 | - | - | 1.00E+0 ± 7.07E-1 | 1.50 ± 0.71 | 4.5 ± 0.7 |',
    );
    expect(lines).toContain(
      '| lora + alternating | sublora-g b=6 | 4/2; 4/2 | 6.0 | 1.00E+0 ± 0.00E+0 | 10.00 ± 0.00 | 1.0 ± 0.0 |',
    );
    expect(lines).toContain(
      '| lora + alternating | adalora-cubic b=6 | 4/2 | 6.0 | 1.00E+0 | 10.00 | 1.0 |',
    );
  });
});
