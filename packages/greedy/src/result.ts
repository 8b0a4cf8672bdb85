/**
 * What every greedy-type solver returns: the picks in order, the gains trace
 * (submodlib style: the trace is part of the answer) and an optimality bound.
 */

/** Which assumption makes {@link SelectionResult.upperBound} a valid bound on OPT. */
export type BoundAssumption =
  /** Valid when f is monotone and submodular (Minoux / Leskovec bound, no removal gains given). */
  | 'monotone-submodular'
  /** Valid when f is submodular, monotone or not (removal gains were given). */
  | 'submodular';

/** Result of {@link greedy}, {@link lazyGreedy}, {@link stochasticGreedy}, {@link randomGreedy}. */
export interface SelectionResult {
  /** Selected elements in pick order. */
  readonly selected: readonly number[];
  /** `gains[k]` = marginal gain of `selected[k]` when it was picked. */
  readonly gains: readonly number[];
  /** `f(selected)`. */
  readonly value: number;
  /** `f(empty)` (the oracle's value before any commit). */
  readonly emptyValue: number;
  /** `f(selected) - f(empty)`: the value of the normalized function, the one guarantees are about. */
  readonly normalizedValue: number;
  /**
   * Data-dependent upper bound on `max { f(S) : |S| <= budget }`:
   * the minimum over the visited sets `S_i` of
   * `f(S_i) + (sum of the budget largest positive gains at S_i) + removalPenalty(S_i)`,
   * where `removalPenalty(S_i) = sum_{e in S_i} max(0, -gain(e | V - e))` (0
   * without removal gains). The solvers evaluate it at the first and final set
   * and, for greedy and randomized greedy, at every step where it is free plus
   * a schedule of about 32 others (see `bound.ts`); any subset of the path gives
   * a valid bound. See {@link SelectionResult.boundAssumption} for when it holds.
   */
  readonly upperBound: number;
  /** The assumption under which `upperBound` is a valid bound. */
  readonly boundAssumption: BoundAssumption;
  /**
   * `normalizedValue / (upperBound - emptyValue)`: a certified lower bound on
   * the approximation ratio of the normalized function (1 when both are 0).
   */
  readonly boundRatio: number;
  /** Iterations run (a randomized step that drew a dummy counts, and adds nothing). */
  readonly steps: number;
}

/**
 * `normalizedValue / normalizedBound`. When the bound is 0 (the empty set is
 * already optimal) the ratio is 1 if the selection is as good as the empty
 * set and 0 otherwise, so it stays a finite number in JSON reports.
 */
export function certifiedRatio(normalizedValue: number, normalizedBound: number): number {
  if (normalizedBound <= 0) return normalizedValue >= normalizedBound ? 1 : 0;
  return normalizedValue / normalizedBound;
}
