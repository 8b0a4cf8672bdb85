/**
 * The set-function interface shared by every solver.
 *
 * A set function is defined on subsets of the ground set `{0, ..., n-1}`.
 * Solvers never call `evaluate` in their inner loop: they open an
 * {@link IncrementalOracle}, which keeps whatever state makes marginal gains
 * cheap (for the quadratic SubLoRA objective, `h = M sigma_P`), and commit
 * elements one at a time.
 */

/** Incremental view of a set function around a growing set `S`. */
export interface IncrementalOracle {
  /** Size of the ground set. */
  readonly n: number;
  /** Elements committed so far, in commit order. */
  readonly selected: readonly number[];
  /** `f(S)` for the current set. */
  value(): number;
  /** Marginal gain `f(S + e) - f(S)`; `e` must not be in `S`. */
  gain(e: number): number;
  /**
   * Writes the marginal gain of every element into `out` (length `n`);
   * entries of elements already in `S` are set to `-Infinity`.
   */
  gains(out: Float64Array): void;
  /** Adds `e` to `S` and updates the state. Throws if `e` is already in `S` or out of range. */
  commit(e: number): void;
  /** An independent copy of this oracle (same `S`, separate state). */
  fork(): IncrementalOracle;
}

/** A set function on subsets of `{0, ..., n-1}`. */
export interface SetFunction {
  /** Size of the ground set. */
  readonly n: number;
  /** Human-readable name used in reports and error messages. */
  readonly name: string;
  /** `f(set)`; `set` holds distinct indices in `[0, n)`, in any order. */
  evaluate(set: readonly number[]): number;
  /** A fresh oracle positioned at the empty set. */
  oracle(): IncrementalOracle;
}
