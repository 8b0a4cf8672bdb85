/**
 * Weighted coverage: element `i` covers the items `sets[i]`, and
 * `f(S) = sum of weights[u] over the items u covered by S`. Monotone and
 * submodular for nonnegative weights (enforced), normalized (`f(empty) = 0`).
 */
import { InputError, toFloat64Vector } from '@sublora/tensor';
import type { VectorLike } from '@sublora/tensor';
import type { IncrementalOracle, SetFunction } from './set-function';
import { assertGainsBuffer, Membership, subsetMask } from './subset';

/** A weighted coverage function. */
export interface CoverageFunction extends SetFunction {
  /** Discriminant, for code that handles several kinds of set function. */
  readonly kind: 'coverage';
  /** The items covered by each element, deduplicated. */
  readonly sets: readonly (readonly number[])[];
  /** Weight of each item (length = number of items). */
  readonly weights: Float64Array;
}

/**
 * Builds a weighted coverage function.
 *
 * @param sets - `sets[i]` lists the items (integers `>= 0`) covered by element `i`
 * @param weights - one nonnegative weight per item; defaults to 1 for every item
 *   `0..max item`. When given, every item must be `< weights.length`.
 *
 * @example
 * const f = createCoverage([[0, 1], [1, 2], [3]]);
 * f.evaluate([0, 1]); // 3: items 0, 1, 2
 */
export function createCoverage(
  sets: readonly (readonly number[])[],
  weights?: VectorLike,
): CoverageFunction {
  if (!Array.isArray(sets)) {
    throw new InputError(
      'sets',
      'expected an array of item lists, one per element; pass e.g. [[0, 1], [2]]',
    );
  }
  const normalized: number[][] = [];
  let maxItem = -1;
  sets.forEach((items, i) => {
    if (!Array.isArray(items)) {
      throw new InputError('sets', `entry ${i} is not an array of item indices`);
    }
    const unique = new Set<number>();
    for (const u of items) {
      if (!Number.isInteger(u) || u < 0) {
        throw new InputError('sets', `entry ${i} lists item ${String(u)}; items are integers >= 0`);
      }
      unique.add(u);
      maxItem = Math.max(maxItem, u);
    }
    normalized.push([...unique].sort((a, b) => a - b));
  });
  let w: Float64Array;
  if (weights === undefined) {
    w = new Float64Array(maxItem + 1).fill(1);
  } else {
    w = toFloat64Vector('weights', weights);
    if (maxItem >= w.length) {
      throw new InputError(
        'weights',
        `has ${w.length} entries but sets mention item ${maxItem}; pass one weight per item`,
      );
    }
    const negative = w.findIndex((x) => x < 0);
    if (negative >= 0) {
      throw new InputError(
        'weights',
        `entry ${negative} is ${w[negative]}; coverage weights must be >= 0 (negative weights break submodularity)`,
      );
    }
  }
  const n = normalized.length;
  return {
    kind: 'coverage',
    name: 'coverage',
    n,
    sets: normalized,
    weights: w,
    evaluate(set) {
      const mask = subsetMask(set, n);
      const covered = new Uint8Array(w.length);
      let total = 0;
      for (let i = 0; i < n; i++) {
        if (mask[i] === 0) continue;
        for (const u of normalized[i]) {
          if (covered[u] === 0) {
            covered[u] = 1;
            total += w[u];
          }
        }
      }
      return total;
    },
    oracle: () => new CoverageOracle(normalized, w, new Membership(n), new Uint8Array(w.length), 0),
  };
}

class CoverageOracle implements IncrementalOracle {
  constructor(
    private readonly sets: readonly (readonly number[])[],
    private readonly w: Float64Array,
    private readonly members: Membership,
    private readonly covered: Uint8Array,
    private total: number,
  ) {}

  get n(): number {
    return this.sets.length;
  }

  get selected(): readonly number[] {
    return this.members.selected;
  }

  value(): number {
    return this.total;
  }

  gain(e: number): number {
    this.members.assertAddable(e, 'gain');
    return this.uncoveredWeight(e);
  }

  private uncoveredWeight(e: number): number {
    let g = 0;
    for (const u of this.sets[e]) if (this.covered[u] === 0) g += this.w[u];
    return g;
  }

  gains(out: Float64Array): void {
    assertGainsBuffer(out, this.sets.length);
    const mask = this.members.mask;
    for (let i = 0; i < this.sets.length; i++) {
      out[i] = mask[i] === 1 ? -Infinity : this.uncoveredWeight(i);
    }
  }

  commit(e: number): void {
    this.members.add(e);
    for (const u of this.sets[e]) {
      if (this.covered[u] === 0) {
        this.covered[u] = 1;
        this.total += this.w[u];
      }
    }
  }

  fork(): IncrementalOracle {
    return new CoverageOracle(
      this.sets,
      this.w,
      this.members.clone(),
      this.covered.slice(),
      this.total,
    );
  }
}
