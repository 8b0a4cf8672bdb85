/**
 * Randomized greedy, two variants:
 *
 * - `'proportional'` (the SubLoRA paper's Alg. 2): each step picks `j` with
 *   probability proportional to `max(gain_j, 0)`. When every remaining gain is
 *   <= 0 there is nothing to draw from: the step then stops if
 *   `stopWhenNonPositive` is set, and otherwise takes the largest gain
 *   deterministically (lowest index on ties), so a rank budget is always
 *   filled, exactly as {@link greedy} would fill it.
 * - `'top-k'` (Buchbinder, Feldman, Naor and Schwartz, SODA 2014): each step
 *   draws uniformly among the `budget` largest positive gains, padded with
 *   "dummy" elements of gain 0 when fewer than `budget` are positive; drawing
 *   a dummy adds nothing. For non-monotone submodular f it is
 *   `1/e`-optimal in expectation. The selection may be smaller than the budget.
 *
 * Both are seeded: equal seeds give equal results on every platform.
 */
import type { SetFunction } from '@sublora/set-function';
import { InputError, type Random, createRandom } from '@sublora/tensor';
import { positiveStats } from './bound';
import { scanGains } from './greedy';
import type { GreedyOptions } from './greedy';
import type { SelectionResult } from './result';
import { SelectionRun } from './selection-run';
import { assertBudget, assertGainNotNaN, assertSeed } from './validate';

/** The randomized greedy rules: see the module documentation. */
export type RandomGreedyRule = 'proportional' | 'top-k';

/** Options of {@link randomGreedy}. */
export interface RandomGreedyOptions extends GreedyOptions {
  /** Default `'proportional'` (the paper's Alg. 2). */
  readonly rule?: RandomGreedyRule;
  /** Seed; equal seeds give equal results. Default 0. */
  readonly seed?: number;
}

/**
 * Randomized greedy maximization of `f` under `|S| <= budget`.
 *
 * @example
 * const f = createModular([1.2, 3.99]);
 * randomGreedy(f, 1, { seed: 3 }).selected; // [1] with probability 3.99 / 5.19
 */
export function randomGreedy(
  f: SetFunction,
  budget: number,
  options: RandomGreedyOptions = {},
): SelectionResult {
  const n = f.n;
  assertBudget(budget, n);
  const { rule = 'proportional', seed = 0 } = options;
  if (rule !== 'proportional' && rule !== 'top-k') {
    throw new InputError(
      'rule',
      `'${String(rule)}' is not a randomized greedy rule; pass 'proportional' or 'top-k'`,
    );
  }
  assertSeed(seed);
  const run = new SelectionRun(f, budget, options.removalGains);
  const { oracle, bound } = run;
  const rng = createRandom(seed);
  const gains = new Float64Array(n);
  const order = new Int32Array(n);
  let steps = 0;
  let done = false;
  for (; steps < budget && !done; steps++) {
    oracle.gains(gains);
    const positive = positiveStats(gains);
    bound.observeStep(oracle.value(), gains, steps, positive.count, positive.sum);
    const e =
      rule === 'proportional'
        ? drawProportional(gains, rng, options.stopWhenNonPositive === true)
        : drawTopK(gains, budget, rng, order);
    if (e === STOP) {
      done = true;
      break;
    }
    if (e === DUMMY) continue;
    run.commit(e, gains[e]);
  }
  if (!done) run.observeBound(gains);
  return run.result(steps);
}

const STOP = -1;
const DUMMY = -2;

/** Index drawn with probability proportional to max(gain, 0); see the module doc for the all-non-positive case. */
function drawProportional(gains: Float64Array, rng: Random, stopWhenNonPositive: boolean): number {
  let total = 0;
  let lastPositive = -1;
  for (let i = 0; i < gains.length; i++) {
    const g = gains[i];
    assertGainNotNaN(g, i);
    if (g > 0) {
      total += g;
      lastPositive = i;
    }
  }
  if (!(total > 0)) {
    if (stopWhenNonPositive) return STOP;
    const best = scanGains(gains).best;
    return best < 0 ? STOP : best;
  }
  let u = rng.uniform32() * total;
  for (let i = 0; i < gains.length; i++) {
    const g = gains[i];
    if (g > 0) {
      u -= g;
      if (u < 0) return i;
    }
  }
  // Round-off can leave u a hair above 0 after the last term.
  return lastPositive;
}

/**
 * Uniform draw among the `k` largest positive gains (ties by lowest index)
 * padded with dummies to `k` slots. Returns DUMMY for a dummy and STOP when no
 * gain is positive (every later step would draw a dummy too: S never changes).
 */
function drawTopK(gains: Float64Array, k: number, rng: Random, order: Int32Array): number {
  let count = 0;
  for (let i = 0; i < gains.length; i++) {
    assertGainNotNaN(gains[i], i);
    if (gains[i] > 0) order[count++] = i;
  }
  if (count === 0) return STOP;
  const slot = rng.int(k);
  if (count <= k) return slot < count ? order[slot] : DUMMY;
  const top = Array.from(order.subarray(0, count)).sort((a, b) => gains[b] - gains[a] || a - b);
  return top[slot];
}
