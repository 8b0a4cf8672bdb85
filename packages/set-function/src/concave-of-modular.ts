/**
 * Concave of modular: `f(S) = phi(sum_{i in S} w_i)` with `w >= 0` (enforced)
 * and `phi` concave. Submodular for any concave `phi`; monotone when `phi` is
 * nondecreasing on `[0, sum w]`; normalized when `phi(0) = 0` (true for the
 * default `Math.sqrt`).
 */
import { InputError, toFloat64Vector } from '@sublora/tensor';
import type { VectorLike } from '@sublora/tensor';
import type { IncrementalOracle, SetFunction } from './set-function';
import { assertGainsBuffer, Membership, subsetMask } from './subset';

/** A concave-of-modular function. */
export interface ConcaveOfModularFunction extends SetFunction {
  /** Discriminant, for code that handles several kinds of set function. */
  readonly kind: 'concave-of-modular';
  /** Validated copy of the (nonnegative) weights. */
  readonly weights: Float64Array;
  /** The concave outer function `phi`. */
  readonly concave: (x: number) => number;
}

/**
 * Builds `f(S) = concave(sum_{i in S} weights[i])`. Concavity of `concave` is
 * the caller's promise (it is not checked); `@sublora/submodularity` can test it.
 *
 * @param weights - nonnegative element weights
 * @param concave - concave on `[0, sum weights]`; defaults to `Math.sqrt`
 *
 * @example
 * const f = createConcaveOfModular([1, 3, 5]);
 * f.evaluate([0, 1]); // sqrt(4) = 2
 */
export function createConcaveOfModular(
  weights: VectorLike,
  concave: (x: number) => number = Math.sqrt,
): ConcaveOfModularFunction {
  const w = toFloat64Vector('weights', weights);
  const negative = w.findIndex((x) => x < 0);
  if (negative >= 0) {
    throw new InputError(
      'weights',
      `entry ${negative} is ${w[negative]}; concave-of-modular weights must be >= 0`,
    );
  }
  if (typeof concave !== 'function') {
    throw new InputError('concave', 'expected a function of one number, e.g. Math.sqrt');
  }
  const n = w.length;
  return {
    kind: 'concave-of-modular',
    name: 'concave-of-modular',
    n,
    weights: w,
    concave,
    evaluate(set) {
      const mask = subsetMask(set, n);
      let total = 0;
      for (let i = 0; i < n; i++) if (mask[i] === 1) total += w[i];
      return concave(total);
    },
    oracle: () => new ConcaveOfModularOracle(w, concave, new Membership(n), 0),
  };
}

class ConcaveOfModularOracle implements IncrementalOracle {
  constructor(
    private readonly w: Float64Array,
    private readonly phi: (x: number) => number,
    private readonly members: Membership,
    /** Sum of the selected weights. */
    private sum: number,
  ) {}

  get n(): number {
    return this.w.length;
  }

  get selected(): readonly number[] {
    return this.members.selected;
  }

  value(): number {
    return this.phi(this.sum);
  }

  gain(e: number): number {
    this.members.assertAddable(e, 'gain');
    return this.phi(this.sum + this.w[e]) - this.phi(this.sum);
  }

  gains(out: Float64Array): void {
    assertGainsBuffer(out, this.w.length);
    const mask = this.members.mask;
    const base = this.phi(this.sum);
    for (let i = 0; i < this.w.length; i++) {
      out[i] = mask[i] === 1 ? -Infinity : this.phi(this.sum + this.w[i]) - base;
    }
  }

  commit(e: number): void {
    this.members.add(e);
    this.sum += this.w[e];
  }

  fork(): IncrementalOracle {
    return new ConcaveOfModularOracle(this.w, this.phi, this.members.clone(), this.sum);
  }
}
