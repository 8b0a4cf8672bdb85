/**
 * The bookkeeping every greedy-type solver shares: the oracle at the current
 * set, the bound tracker that must see every commit, and the picks and gains
 * trace that make up the {@link SelectionResult}.
 */
import type { IncrementalOracle, SetFunction } from '@sublora/set-function';
import { BoundTracker, toRemovalGains } from './bound';
import { certifiedRatio } from './result';
import type { SelectionResult } from './result';

/** One solver run of `f` under `|S| <= budget`, positioned at the empty set. */
export class SelectionRun {
  /** The oracle at the current selection. */
  readonly oracle: IncrementalOracle;
  /** `f(empty)`. */
  readonly emptyValue: number;
  /** The running bound on OPT; solvers observe it along their path. */
  readonly bound: BoundTracker;
  /** Selected elements in pick order. */
  readonly picked: number[] = [];
  private readonly trace: number[] = [];

  /** Validates `removalGains` (see {@link toRemovalGains}) and opens the oracle. */
  constructor(f: SetFunction, budget: number, removalGains: ArrayLike<number> | undefined) {
    const removal = toRemovalGains(removalGains, f.n);
    this.oracle = f.oracle();
    this.emptyValue = this.oracle.value();
    this.bound = new BoundTracker(f.n, budget, removal);
  }

  /** Adds `e`, whose marginal gain at the current set is `gain`. */
  commit(e: number, gain: number): void {
    this.oracle.commit(e);
    this.bound.committed(e);
    this.picked.push(e);
    this.trace.push(gain);
  }

  /** Records the bound at the current set; `gains` (length n) receives its gains. */
  observeBound(gains: Float64Array): void {
    this.oracle.gains(gains);
    this.bound.observe(this.oracle.value(), gains);
  }

  /** The result after `steps` iterations. */
  result(steps: number): SelectionResult {
    const value = this.oracle.value();
    const emptyValue = this.emptyValue;
    const normalizedValue = value - emptyValue;
    const upperBound = this.bound.value;
    return {
      selected: this.picked,
      gains: this.trace,
      value,
      emptyValue,
      normalizedValue,
      upperBound,
      boundAssumption: this.bound.assumption,
      boundRatio: certifiedRatio(normalizedValue, upperBound - emptyValue),
      steps,
    };
  }
}
