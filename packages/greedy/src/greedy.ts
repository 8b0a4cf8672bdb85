/**
 * The standard greedy algorithm (Nemhauser, Wolsey and Fisher 1978; the
 * paper's Alg. 1): `budget` steps, each adding the element of largest marginal
 * gain, ties broken by lowest index.
 *
 * Cost: one `gains(out)` and one `commit` per step, so O(r^2 + b r) for the
 * quadratic objective (its oracle is O(r) per call after O(r^2) setup).
 */
import type { SetFunction } from '@sublora/set-function';
import type { SelectionResult } from './result';
import { SelectionRun } from './selection-run';
import { assertBudget, assertGainNotNaN } from './validate';

/** Options shared by the deterministic greedy solvers. */
export interface GreedyOptions {
  /**
   * Stop as soon as the best available gain is <= 0 (the selection may then be
   * smaller than the budget). Default `false`: always take `budget` elements,
   * which is what a rank budget means.
   */
  readonly stopWhenNonPositive?: boolean;
  /**
   * `gain(e | V - e)` for every element (see {@link removalGainsOf}). When
   * given, `upperBound` is valid for every submodular f; otherwise it assumes
   * f is monotone submodular.
   */
  readonly removalGains?: ArrayLike<number>;
}

/**
 * Greedy maximization of `f` under `|S| <= budget`.
 *
 * Guarantee: for monotone submodular f, `normalizedValue >= (1 - 1/e) OPT`
 * of the normalized function `f - f(empty)`. The result also carries a
 * data-dependent `upperBound` on OPT, the minimum over the greedy path.
 *
 * @example
 * const f = createModular([3, -1, 2]);
 * greedy(f, 2).selected; // [0, 2]
 */
export function greedy(
  f: SetFunction,
  budget: number,
  options: GreedyOptions = {},
): SelectionResult {
  const n = f.n;
  assertBudget(budget, n);
  const run = new SelectionRun(f, budget, options.removalGains);
  const { oracle, bound } = run;
  const gains = new Float64Array(n);
  let steps = 0;
  for (; steps < budget; steps++) {
    oracle.gains(gains);
    const scan = scanGains(gains);
    bound.observeStep(oracle.value(), gains, steps, scan.positiveCount);
    const best = scan.best;
    if (best < 0) break;
    const gain = gains[best];
    if (options.stopWhenNonPositive && gain <= 0) break;
    run.commit(best, gain);
  }
  if (steps === budget) run.observeBound(gains);
  return run.result(steps);
}

/**
 * One pass over the gains: the argmax (lowest index among ties; -1 if none
 * is > -Infinity) and the count of the positive gains, for the bound (which
 * sums them only when it uses the sum: a running sum is a chain of
 * dependent additions that would set this loop's pace). Throws on NaN.
 */
export function scanGains(values: Float64Array): { best: number; positiveCount: number } {
  let best = -1;
  let bestValue = -Infinity;
  let positiveCount = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v > bestValue) {
      bestValue = v;
      best = i;
    } else if (v !== v) {
      assertGainNotNaN(v, i);
    }
    if (v > 0) positiveCount++;
  }
  return { best, positiveCount };
}
