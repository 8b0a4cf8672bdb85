/**
 * Stochastic greedy (Mirzasoleiman et al., "Lazier than lazy greedy", AAAI
 * 2015): each step evaluates the gains of a uniform random sample of
 * `s = ceil((n / b) ln(1 / epsilon))` remaining elements and adds the best.
 * For monotone submodular f it is `(1 - 1/e - epsilon)`-optimal in
 * expectation with O(n ln(1/epsilon)) gain evaluations in total.
 */
import type { SetFunction } from '@sublora/set-function';
import { InputError, createRandom } from '@sublora/tensor';
import type { GreedyOptions } from './greedy';
import type { SelectionResult } from './result';
import { SelectionRun } from './selection-run';
import { assertBudget, assertGainNotNaN, assertSeed } from './validate';

/** Options of {@link stochasticGreedy}. */
export interface StochasticGreedyOptions extends GreedyOptions {
  /** Accuracy in (0, 1); smaller means larger samples. Default 0.1. */
  readonly epsilon?: number;
  /** Seed of the sampler; equal seeds give equal results. Default 0. */
  readonly seed?: number;
}

/**
 * Stochastic greedy maximization of `f` under `|S| <= budget`. Ties within
 * a sample go to the lowest index. `upperBound` is taken at the empty and the
 * final set.
 *
 * @example
 * const f = createModular([3, -1, 2, 5]);
 * stochasticGreedy(f, 2, { epsilon: 0.01, seed: 7 }).selected; // e.g. [3, 0]
 */
export function stochasticGreedy(
  f: SetFunction,
  budget: number,
  options: StochasticGreedyOptions = {},
): SelectionResult {
  const n = f.n;
  assertBudget(budget, n);
  const { epsilon = 0.1, seed = 0 } = options;
  if (!(epsilon > 0 && epsilon < 1)) {
    throw new InputError('epsilon', `${String(epsilon)} is not in (0, 1); pass e.g. 0.1`);
  }
  assertSeed(seed);
  const run = new SelectionRun(f, budget, options.removalGains);
  const { oracle } = run;
  const rng = createRandom(seed);
  const all = new Float64Array(n);
  run.observeBound(all);

  const sampleSize =
    budget === 0 ? 0 : Math.max(1, Math.ceil((n / budget) * Math.log(1 / epsilon)));
  // rest[0..restCount) holds the elements not yet selected; a partial
  // Fisher-Yates shuffle moves the sample to the front.
  const rest = Int32Array.from({ length: n }, (_, i) => i);
  let restCount = n;
  let steps = 0;
  for (; steps < budget && restCount > 0; steps++) {
    const s = Math.min(sampleSize, restCount);
    let bestPos = -1;
    let bestGain = -Infinity;
    for (let k = 0; k < s; k++) {
      const j = k + rng.int(restCount - k);
      const t = rest[k];
      rest[k] = rest[j];
      rest[j] = t;
      const e = rest[k];
      const g = oracle.gain(e);
      assertGainNotNaN(g, e);
      if (bestPos < 0 || g > bestGain || (g === bestGain && e < rest[bestPos])) {
        bestPos = k;
        bestGain = g;
      }
    }
    if (options.stopWhenNonPositive && bestGain <= 0) break;
    const e = rest[bestPos];
    rest[bestPos] = rest[--restCount];
    run.commit(e, bestGain);
  }
  if (run.picked.length > 0) run.observeBound(all);
  return run.result(steps);
}
