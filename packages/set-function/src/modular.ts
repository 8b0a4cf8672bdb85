/**
 * Modular (additive) set functions: `f(S) = sum_{i in S} w_i`. Both
 * submodular and supermodular; monotone iff every weight is >= 0.
 */
import { toFloat64Vector } from '@sublora/tensor';
import type { VectorLike } from '@sublora/tensor';
import type { IncrementalOracle, SetFunction } from './set-function';
import { assertGainsBuffer, Membership, subsetMask } from './subset';

/** A modular set function. */
export interface ModularFunction extends SetFunction {
  /** Discriminant, for code that handles several kinds of set function. */
  readonly kind: 'modular';
  /** Validated copy of the weights, one per ground-set element. */
  readonly weights: Float64Array;
}

/**
 * Builds `f(S) = sum_{i in S} weights[i]` (any signs). Gains never change, so
 * the oracle is O(1) per gain and per commit.
 *
 * @example
 * const f = createModular([0.5, -1, 2]);
 * f.evaluate([0, 2]); // 2.5
 */
export function createModular(weights: VectorLike): ModularFunction {
  const w = toFloat64Vector('weights', weights);
  const n = w.length;
  return {
    kind: 'modular',
    name: 'modular',
    n,
    weights: w,
    evaluate(set) {
      const mask = subsetMask(set, n);
      let total = 0;
      for (let i = 0; i < n; i++) if (mask[i] === 1) total += w[i];
      return total;
    },
    oracle: () => new ModularOracle(w, new Membership(n), 0),
  };
}

class ModularOracle implements IncrementalOracle {
  constructor(
    private readonly w: Float64Array,
    private readonly members: Membership,
    private total: number,
  ) {}

  get n(): number {
    return this.w.length;
  }

  get selected(): readonly number[] {
    return this.members.selected;
  }

  value(): number {
    return this.total;
  }

  gain(e: number): number {
    this.members.assertAddable(e, 'gain');
    return this.w[e];
  }

  gains(out: Float64Array): void {
    assertGainsBuffer(out, this.w.length);
    const mask = this.members.mask;
    for (let i = 0; i < this.w.length; i++) out[i] = mask[i] === 1 ? -Infinity : this.w[i];
  }

  commit(e: number): void {
    this.members.add(e);
    this.total += this.w[e];
  }

  fork(): IncrementalOracle {
    return new ModularOracle(this.w, this.members.clone(), this.total);
  }
}
