/**
 * The data-dependent optimality bound (Minoux 1978; Leskovec et al. 2007).
 *
 * For submodular f and any set `S_i`, every `T` with `|T| <= b` satisfies
 *
 *     f(T) <= f(S_i) + sum_{e in T \ S_i} gain(e | S_i)
 *                    - sum_{e in S_i \ T} gain(e | S_i + T - e)
 *
 * (Nemhauser, Wolsey and Fisher 1978). The first sum is at most the sum of the
 * `b` largest positive gains at `S_i`. The second is <= 0 when f is monotone;
 * in general, submodularity gives `gain(e | S_i + T - e) >= gain(e | V - e)`
 * (the removal gain), so it is at most `sum_{e in S_i} max(0, -removal_e)`.
 * Taking the minimum over all visited `S_i` gives a bound on OPT that the
 * caller can compare with the value it found.
 */
import { InputError } from '@sublora/tensor';
import type { BoundAssumption } from './result';
import { sumTopPositive } from './top-sum';

/** How many exact (selection-based) evaluations a full greedy run makes at most, besides the free ones. */
const SCHEDULED_EVALUATIONS = 32;

/**
 * Running minimum of the bound along a solver's path.
 *
 * The top-`b` sum is cheap when at most `b` gains are positive (it is the
 * sum of all positive gains: one pass, every step, as the solver's scan has
 * counted them). Otherwise it needs a selection, which is done only on a schedule (every
 * `ceil(b / 32)`-th step, and at the first and final set): a minimum over
 * fewer sets is still a valid bound, and it keeps the bound's cost well
 * below the greedy loop's own.
 */
export class BoundTracker {
  private best = Infinity;
  private penalty = 0;
  private readonly scratch: Float64Array;
  private readonly stride: number;

  /**
   * @param budget - the cardinality limit `b`
   * @param removalGains - `gain(e | V - e)` for every e, or undefined (then the bound assumes monotone f)
   */
  constructor(
    n: number,
    private readonly budget: number,
    private readonly removalGains: Float64Array | undefined,
  ) {
    this.scratch = new Float64Array(n);
    this.stride = Math.max(1, Math.ceil(budget / SCHEDULED_EVALUATIONS));
  }

  /** Which assumption the bound relies on. */
  get assumption(): BoundAssumption {
    return this.removalGains ? 'submodular' : 'monotone-submodular';
  }

  /** Records the bound at a set of value `value` whose gains (`-Infinity` for members) are `gains`. */
  observe(value: number, gains: Float64Array): void {
    this.consider(value + sumTopPositive(gains, this.budget, this.scratch));
  }

  /**
   * Records the bound at greedy step `step`, given the count of positive
   * gains from the caller's own scan and, when the caller has it, their sum;
   * sums them (in index order, as {@link positiveStats} does) or selects only
   * when needed and scheduled.
   */
  observeStep(
    value: number,
    gains: Float64Array,
    step: number,
    positiveCount: number,
    positiveSum?: number,
  ): void {
    if (positiveCount <= this.budget)
      this.consider(value + (positiveSum ?? positiveStats(gains).sum));
    else if (step % this.stride === 0) this.observe(value, gains);
  }

  private consider(valuePlusTop: number): void {
    const candidate = valuePlusTop + this.penalty;
    if (candidate < this.best) this.best = candidate;
  }

  /** Must be called for every committed element, so the removal penalty follows `S_i`. */
  committed(e: number): void {
    if (this.removalGains) this.penalty += Math.max(0, -this.removalGains[e]);
  }

  /** The minimum bound seen so far (Infinity before any observation). */
  get value(): number {
    return this.best;
  }
}

/** Count and sum of the positive entries. */
export function positiveStats(values: Float64Array): { count: number; sum: number } {
  let count = 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] > 0) {
      count++;
      sum += values[i];
    }
  }
  return { count, sum };
}

/** Validates optional removal gains `gain(e | V - e)`, one per element. */
export function toRemovalGains(
  removalGains: ArrayLike<number> | undefined,
  n: number,
): Float64Array | undefined {
  if (removalGains === undefined) return undefined;
  if (removalGains.length !== n) {
    throw new InputError(
      'removalGains',
      `has length ${removalGains.length} but the ground set has ${n} elements; pass gain(e | V - e) for every e`,
    );
  }
  const out = Float64Array.from(removalGains);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(out[i])) {
      throw new InputError(
        'removalGains',
        `entry ${i} is ${String(out[i])}; every value must be a finite number`,
      );
    }
  }
  return out;
}

/**
 * `gain(e | V - e) = f(V) - f(V - e)` for every element, by `n + 1`
 * evaluations of `f`. Pass the result as `removalGains` to make the greedy
 * bound valid for non-monotone submodular f. Costs `n + 1` calls of
 * `evaluate`; for the quadratic objective there is an O(r) closed form
 * (`-g_e sigma_e + 1/2 M_ee sigma_e^2`), prefer it there.
 */
export function removalGainsOf(f: {
  readonly n: number;
  evaluate(set: readonly number[]): number;
}): Float64Array {
  const all = Array.from({ length: f.n }, (_, i) => i);
  const full = f.evaluate(all);
  const out = new Float64Array(f.n);
  for (let e = 0; e < f.n; e++) {
    out[e] = full - f.evaluate(all.filter((x) => x !== e));
  }
  return out;
}
