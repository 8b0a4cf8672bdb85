import fc from 'fast-check';
import { bruteForceMaximize } from '@sublora/greedy';
import { projectHessian } from '@sublora/hessian-projection';
import { createModular, createQuadraticObjective, quadraticValue } from '@sublora/set-function';
import {
  arbQuadraticInstance,
  checkMonotone,
  checkQuadraticSubmodularity,
} from '@sublora/submodularity';
import type { QuadraticInstance } from '@sublora/submodularity';
import { InputError, referenceBackend } from '@sublora/tensor';
import {
  EXACT_MAX_NODES,
  METHODS,
  METHOD_DESCRIPTIONS,
  determineRanks,
  determineRanksSync,
} from './index';
import type { MethodName, RankInput } from './index';

const RUNS = { numRuns: 100 };

// The paper's toy example: L = (s1 - s2 + 1)^2 at sigma = (1, 2.1).
const TOY = {
  sigma: [1, 2.1],
  grad: [-0.2, 0.2],
  hessian: [
    [2, -2],
    [-2, 2],
  ],
};

const instanceWithBudget = arbQuadraticInstance({ minSize: 1, maxSize: 7 }).chain((q) =>
  fc.tuple(fc.constant(q), fc.integer({ min: 0, max: q.sigma.length })),
);

function run(q: QuadraticInstance, budget: number, method: MethodName, seed = 0) {
  return determineRanksSync({ ...q, budget, method, seed });
}

/** Best value of `sum_{i in S} score_i` over |S| = b, by brute force. */
function bestModular(score: number[], b: number): number {
  return bruteForceMaximize(createModular(score), b, 'exactly').value;
}

describe('the paper toy example (budget 1)', () => {
  it.each(['sublora-g', 'diag', 'hess-g', 'exact'] as const)(
    '%s keeps sigma_2 (index 1)',
    async (method) => {
      const result = await determineRanks({ ...TOY, budget: 1, method });
      expect(result.kept).toEqual([1]);
      expect(result.pruned).toEqual([0]);
      // L(0, 2.1) - L(1, 2.1) = 1.21 - 0.01: the model is exact for a quadratic loss.
      expect(result.predictedLossChange).toBeCloseTo(1.2, 12);
      expect(result.objective).toBeCloseTo(-1.2, 12);
      // f(empty) = g.sigma - 1/2 sigma^T H sigma = 0.22 - 1.21 = -0.99.
      expect(result.objectiveNormalized).toBeCloseTo(-1.2 + 0.99, 12);
    },
  );

  it('linear keeps sigma_1 (index 0), predicting the worse loss change 3.99', async () => {
    const result = await determineRanks({ ...TOY, budget: 1, method: 'linear' });
    expect(result.kept).toEqual([0]);
    expect(result.predictedLossChange).toBeCloseTo(3.99, 12); // L(1, 0) - L(1, 2.1) = 4 - 0.01
  });

  it('reports the Theorem-2 violation and its projection', async () => {
    const { diagnostics, certificate } = await determineRanks({
      ...TOY,
      budget: 1,
      method: 'sublora-g',
    });
    expect(diagnostics.rawSubmodular).toBe(false);
    expect(diagnostics.violationCount).toBe(1);
    expect(diagnostics.projectionRemovedEntries).toBe(2);
    expect(diagnostics.projectionFrobeniusDistance).toBeCloseTo(Math.sqrt(8), 12);
    expect(diagnostics.monotoneAlongPath).toBe(true);
    expect(diagnostics.projectedMonotone).toBe(true);
    // G = diag(2, 2): the projected model is modular, greedy is optimal, the bound is tight:
    // f_G(empty) = 0.22 - 1/2 (2 * 1 + 2 * 4.41) = -5.19, plus the best gain 3.99 = -1.2.
    expect(certificate?.objective).toBe('projected');
    expect(certificate?.upperBound).toBeCloseTo(-5.19 + 3.99, 12);
    expect(certificate?.ratio).toBeCloseTo(1, 12);
  });

  it('sublora-r keeps index 1 with probability 3.99 / 5.19', () => {
    // The projection zeroes H_12 (H_12 sigma_1 sigma_2 = -4.2 < 0), so G = diag(2, 2) and the
    // gain of keeping i alone is -g_i sigma_i + 1/2 G_ii sigma_i^2:
    //   i = 0: 0.2 * 1   + 1/2 * 2 * 1^2   = 0.2 + 1    = 1.2
    //   i = 1: -0.2 * 2.1 + 1/2 * 2 * 2.1^2 = -0.42 + 4.41 = 3.99
    // Both positive, so Alg. 2 keeps index 1 with probability 3.99 / (1.2 + 3.99) = 3.99 / 5.19.
    const trials = 3000;
    let ones = 0;
    for (let seed = 0; seed < trials; seed++) {
      const kept = determineRanksSync({ ...TOY, budget: 1, method: 'sublora-r', seed }).kept;
      if (kept[0] === 1) ones++;
    }
    const p = 3.99 / 5.19;
    expect(Math.abs(ones - trials * p)).toBeLessThan(4 * Math.sqrt(trials * p * (1 - p)));
  });

  it('sublora-r is reproducible from its seed', () => {
    const a = determineRanksSync({ ...TOY, budget: 1, method: 'sublora-r', seed: 11 });
    expect(determineRanksSync({ ...TOY, budget: 1, method: 'sublora-r', seed: 11 })).toEqual(a);
  });
});

describe('methods against brute-force definitions', () => {
  it('modular baselines keep a best b-subset of their score', () => {
    fc.assert(
      fc.property(instanceWithBudget, ([q, b]) => {
        const diagH = q.hessian.map((row, i) => row.map((v, j) => (i === j ? v : 0)));
        const scores: Record<string, number[]> = {
          magnitude: q.sigma.map(Math.abs),
          adalora: q.sigma.map((s, i) => Math.abs(q.grad[i] * s)),
        };
        for (const method of ['magnitude', 'adalora'] as const) {
          const kept = run(q, b, method).kept;
          const total = kept.reduce((acc, i) => acc + scores[method][i], 0);
          expect(total).toBeCloseTo(bestModular(scores[method], b), 9);
        }
        // linear and diag: best b-subsets of the first-order and the diagonal second-order model.
        const zero = q.hessian.map((row) => row.map(() => 0));
        for (const [method, model] of [
          ['linear', zero],
          ['diag', diagH],
        ] as const) {
          const kept = run(q, b, method).kept;
          const f = createQuadraticObjective({ sigma: q.sigma, grad: q.grad, hessian: model });
          expect(f.evaluate(kept)).toBeCloseTo(bruteForceMaximize(f, b, 'exactly').value, 9);
        }
      }),
      RUNS,
    );
  });

  it('exact equals brute force and no method beats it on the raw model', () => {
    fc.assert(
      fc.property(instanceWithBudget, ([q, b]) => {
        const exact = run(q, b, 'exact');
        const truth = bruteForceMaximize(createQuadraticObjective(q), b, 'exactly');
        expect(exact.objective).toBeCloseTo(truth.value, 9);
        for (const method of METHODS) {
          expect(run(q, b, method, 1).objective).toBeLessThanOrEqual(exact.objective + 1e-9);
        }
      }),
      RUNS,
    );
  });

  it('every method keeps exactly b distinct indices and reports the raw objective of them', () => {
    fc.assert(
      fc.property(instanceWithBudget, fc.constantFrom(...METHODS), ([q, b], method) => {
        const result = run(q, b, method, 3);
        expect(result.kept.length).toBe(b);
        expect([...result.kept, ...result.pruned].sort((x, y) => x - y)).toEqual(
          q.sigma.map((_, i) => i),
        );
        expect(result.objective).toBeCloseTo(
          quadraticValue(q.sigma, q.grad, q.hessian, [...result.kept]),
          9,
        );
        expect(result.predictedLossChange).toBe(-result.objective);
        expect(result.objectiveNormalized).toBeCloseTo(
          result.objective - quadraticValue(q.sigma, q.grad, q.hessian, []),
          9,
        );
      }),
      RUNS,
    );
  });

  it('the greedy certificate bounds the projected optimum', () => {
    fc.assert(
      fc.property(instanceWithBudget, ([q, b]) => {
        const result = run(q, b, 'sublora-g');
        const fG = createQuadraticObjective({
          ...q,
          hessian: projectHessian(q.hessian, q.sigma).projected,
        });
        const opt = bruteForceMaximize(fG, b);
        expect(result.certificate!.upperBound).toBeGreaterThanOrEqual(opt.value - 1e-9);
        expect(result.certificate!.ratio).toBeLessThanOrEqual(1 + 1e-9);
        const normalizedBound = result.certificate!.upperBound - fG.emptyValue;
        if (normalizedBound > 1e-9) {
          expect(fG.evaluate([...result.kept]) - fG.emptyValue).toBeCloseTo(
            result.certificate!.ratio * normalizedBound,
            9,
          );
        }
      }),
      RUNS,
    );
  });

  it('sublora-g and hess-g agree when the raw Hessian is already submodular', () => {
    fc.assert(
      fc.property(
        arbQuadraticInstance({ maxSize: 7, hessian: 'submodular' }).chain((q) =>
          fc.tuple(fc.constant(q), fc.integer({ min: 0, max: q.sigma.length })),
        ),
        ([q, b]) => {
          const sub = run(q, b, 'sublora-g');
          const hess = run(q, b, 'hess-g');
          expect(sub.diagnostics.rawSubmodular).toBe(true);
          expect(hess.kept).toEqual(sub.kept);
          expect(hess.certificate?.objective).toBe('raw');
        },
      ),
      RUNS,
    );
  });

  it('diagnostics agree with the independent checks', () => {
    fc.assert(
      fc.property(instanceWithBudget, ([q, b]) => {
        const { diagnostics } = run(q, b, 'magnitude');
        const check = checkQuadraticSubmodularity(q.hessian, q.sigma);
        expect(diagnostics.violationCount).toBe(check.violationCount);
        expect(diagnostics.rawSubmodular).toBe(check.submodular);
        const fG = createQuadraticObjective({
          ...q,
          hessian: projectHessian(q.hessian, q.sigma).projected,
        });
        expect(diagnostics.projectedMonotone).toBe(
          checkMonotone(fG, { mode: 'exhaustive' }).monotone,
        );
      }),
      RUNS,
    );
  });
});

describe('row-major Float64Array input (validated in place, not copied)', () => {
  it('gives the same result as rows and leaves the caller array untouched', () => {
    fc.assert(
      fc.property(
        instanceWithBudget,
        fc.constantFrom<MethodName>('sublora-g', 'sublora-r', 'hess-g', 'diag'),
        ([q, budget], method) => {
          const n = q.sigma.length;
          const data = Float64Array.from(q.hessian.flat());
          const before = Array.from(data);
          const fromRows = run(q, budget, method, 3);
          const fromData = determineRanksSync({
            ...q,
            hessian: { data, size: n },
            budget,
            method,
            seed: 3,
          });
          expect(fromData).toEqual(fromRows);
          expect(Array.from(data)).toEqual(before);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('layers', () => {
  it('counts kept values per layer', () => {
    fc.assert(
      fc.property(
        instanceWithBudget,
        fc.constantFrom(...METHODS),
        fc.array(fc.nat(), { maxLength: 4 }),
        ([q, b], method, cuts) => {
          const r = q.sigma.length;
          const points = [0, ...cuts.map((c) => c % (r + 1)), r].sort((x, y) => x - y);
          const layers = points.slice(1).map((p, i) => p - points[i]);
          const result = determineRanksSync({ ...q, budget: b, method, layers });
          expect(result.perLayer!.reduce((s, c) => s + c, 0)).toBe(b);
          let offset = 0;
          result.perLayer!.forEach((count, l) => {
            expect(count).toBe(
              result.kept.filter((i) => i >= offset && i < offset + layers[l]).length,
            );
            offset += layers[l];
          });
        },
      ),
      RUNS,
    );
  });
});

describe('validation', () => {
  const ok: RankInput = { ...TOY, budget: 1, method: 'sublora-g' };
  it.each<[string, Partial<RankInput> | Record<string, unknown>]>([
    ['sigma', { sigma: [1, NaN] }],
    ['sigma', { sigma: [] }],
    ['grad', { grad: [1, 2, 3] }],
    ['grad', { grad: [Infinity, 0] }],
    [
      'hessian',
      {
        hessian: [
          [2, -2],
          [-1, 2],
        ],
      },
    ],
    [
      'hessian',
      {
        hessian: [
          [1, 0, 0],
          [0, 1, 0],
          [0, 0, 1],
        ],
      },
    ],
    [
      'hessian',
      {
        hessian: [
          [1, NaN],
          [NaN, 1],
        ],
      },
    ],
    ['budget', { budget: -1 }],
    ['budget', { budget: 3 }],
    ['budget', { budget: 0.5 }],
    ['layers', { layers: [1, 2] }],
    ['layers', { layers: [2, -1, 1] }],
    ['seed', { seed: 0.5 }],
    ['method', { method: 'random' }],
  ])('rejects a bad %s with a one-line InputError naming it', async (name, patch) => {
    const input = { ...ok, ...patch } as RankInput;
    await expect(determineRanks(input)).rejects.toThrow(InputError);
    await expect(determineRanks(input)).rejects.toThrow(new RegExp(`^${name}: [^\\n]+$`));
    expect(() => determineRanksSync(input)).toThrow(new RegExp(`^${name}: `));
  });

  it('lists the valid methods for an unknown one', () => {
    expect(() => determineRanksSync({ ...ok, method: 'sublora' as MethodName })).toThrow(
      METHODS.join(', '),
    );
  });

  it('refuses exact above its size limit up front', () => {
    const r = 65;
    const input = {
      sigma: new Array(r).fill(1),
      grad: new Array(r).fill(0),
      hessian: { data: new Float64Array(r * r), size: r },
    };
    expect(() => determineRanksSync({ ...input, budget: 2, method: 'exact' })).toThrow(
      /^method: 'exact' handles r <= 64/,
    );
  });

  it('exact at r = 64, b = 32 on an identity Hessian returns the best set with its certified gap (was exit 3)', () => {
    const r = 64;
    const hessian = { data: new Float64Array(r * r), size: r };
    for (let i = 0; i < r; i++) hessian.data[i * r + i] = 1;
    const sigma = new Array(r).fill(1);
    const result = determineRanksSync({
      sigma,
      grad: new Array(r).fill(0),
      hessian,
      budget: 32,
      method: 'exact',
    });
    expect(result.kept).toHaveLength(32);
    // Every 32-subset ties at f = -32 * 1/2; the node limit stops the search, the bound says how far.
    expect(result.objective).toBeCloseTo(-16, 9);
    expect(result.diagnostics.exactComplete).toBe(false);
    expect(result.diagnostics.exactNodes).toBe(EXACT_MAX_NODES);
    expect(result.diagnostics.exactGap).toBeGreaterThanOrEqual(0);
    expect(result.diagnostics.exactGap).toBeLessThan(1e-6);
    expect(result.certificate).toMatchObject({ objective: 'raw', assumption: 'none' });
    expect(result.certificate!.upperBound).toBeCloseTo(-16, 6);
  });

  it('exact reports a complete search, gap 0 and a certificate equal to its value on small inputs', () => {
    fc.assert(
      fc.property(instanceWithBudget, ([q, b]) => {
        const { diagnostics, certificate, objective } = run(q, b, 'exact');
        expect(diagnostics.exactComplete).toBe(true);
        expect(diagnostics.exactGap).toBe(0);
        expect(certificate!.upperBound).toBeCloseTo(objective, 9);
      }),
      { numRuns: 30 },
    );
  });

  it.each(METHODS)(
    '%s: an overflowing model is an error naming the hessian, not a solver name',
    (method) => {
      const cases = [
        {
          sigma: [1e200, 1],
          grad: [0, 0],
          hessian: [
            [1e300, 0],
            [0, 1],
          ],
        },
        {
          sigma: [1e200, 1],
          grad: [1e300, 0],
          hessian: [
            [1, 0],
            [0, 1],
          ],
        },
        {
          sigma: [1e200, 1e200],
          grad: [0, 0],
          hessian: [
            [0, 1e300],
            [1e300, 0],
          ],
        },
      ];
      for (const input of cases) {
        expect(() => determineRanksSync({ ...input, budget: 1, method, seed: 1 })).toThrow(
          /^hessian: with this sigma and grad the second-order model overflows float64 \(.*\); rescale/,
        );
      }
    },
  );

  it('describes every method', () => {
    expect(Object.keys(METHOD_DESCRIPTIONS).sort()).toEqual([...METHODS].sort());
  });
});

describe('backend path', () => {
  it('gives the host results for every method, with host arrays or tensors', async () => {
    const rng = fc.sample(instanceWithBudget, { numRuns: 12, seed: 42 });
    for (const [q, b] of rng) {
      const r = q.sigma.length;
      const tensors = {
        sigma: referenceBackend.fromArray(q.sigma, [r], 'float64'),
        grad: referenceBackend.fromArray(q.grad, [r], 'float64'),
        hessian: referenceBackend.fromArray(q.hessian.flat(), [r, r], 'float64'),
      };
      for (const method of METHODS) {
        const host = run(q, b, method, 5);
        const viaHost = await determineRanks({
          ...q,
          budget: b,
          method,
          seed: 5,
          backend: referenceBackend,
        });
        const viaTensors = await determineRanks({
          ...tensors,
          budget: b,
          method,
          seed: 5,
          backend: referenceBackend,
        });
        for (const other of [viaHost, viaTensors]) {
          expect(other.kept).toEqual(host.kept);
          expect(other.objective).toBeCloseTo(host.objective, 9);
          expect(other.diagnostics.violationCount).toBe(host.diagnostics.violationCount);
          expect(other.diagnostics.computedOn).toBe(referenceBackend.name);
        }
      }
    }
  });

  it('needs a backend for tensor inputs', async () => {
    const sigma = referenceBackend.fromArray([1, 2.1], [2], 'float64');
    await expect(determineRanks({ ...TOY, sigma, budget: 1, method: 'diag' })).rejects.toThrow(
      /^sigma: is a tensor/,
    );
  });
});
