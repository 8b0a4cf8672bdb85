/**
 * Facility location: `f(S) = sum_v max_{s in S} similarity[v][s]`, with the
 * max over the empty set taken as 0. Monotone and submodular for nonnegative
 * similarities (enforced), normalized (`f(empty) = 0`).
 */
import { InputError, toFloat64Matrix } from '@sublora/tensor';
import type { MatrixLike } from '@sublora/tensor';
import type { IncrementalOracle, SetFunction } from './set-function';
import { assertGainsBuffer, Membership, subsetMask } from './subset';

/** A facility-location function. */
export interface FacilityLocationFunction extends SetFunction {
  /** Discriminant, for code that handles several kinds of set function. */
  readonly kind: 'facility-location';
  /** Validated copy of the similarity matrix, row-major: row `v` (client), column `s` (facility). */
  readonly similarity: { readonly data: Float64Array; readonly size: number };
}

/**
 * Builds a facility-location function over `n` elements from an `n` x `n`
 * nonnegative similarity matrix (row = client `v`, column = candidate `s`;
 * need not be symmetric). The oracle keeps each client's best similarity so
 * far: a gain is O(n), a commit O(n).
 *
 * @example
 * const f = createFacilityLocation([[1, 0.2], [0.5, 1]]);
 * f.evaluate([0]); // 1 + 0.5
 */
export function createFacilityLocation(similarity: MatrixLike): FacilityLocationFunction {
  const sim = toFloat64Matrix('similarity', similarity);
  const negative = sim.data.findIndex((x) => x < 0);
  if (negative >= 0) {
    const v = Math.floor(negative / sim.size),
      s = negative % sim.size;
    throw new InputError(
      'similarity',
      `entry (${v}, ${s}) is ${sim.data[negative]}; similarities must be >= 0 (shift them, e.g. by subtracting the minimum)`,
    );
  }
  const n = sim.size;
  const data = sim.data;
  return {
    kind: 'facility-location',
    name: 'facility-location',
    n,
    similarity: sim,
    evaluate(set) {
      const mask = subsetMask(set, n);
      let total = 0;
      for (let v = 0; v < n; v++) {
        let best = 0;
        for (let s = 0; s < n; s++) if (mask[s] === 1) best = Math.max(best, data[v * n + s]);
        total += best;
      }
      return total;
    },
    oracle: () => new FacilityLocationOracle(data, n, new Membership(n), new Float64Array(n), 0),
  };
}

class FacilityLocationOracle implements IncrementalOracle {
  constructor(
    private readonly sim: Float64Array,
    readonly n: number,
    private readonly members: Membership,
    /** Best similarity of each client to the selected facilities (0 when none). */
    private readonly best: Float64Array,
    private total: number,
  ) {}

  get selected(): readonly number[] {
    return this.members.selected;
  }

  value(): number {
    return this.total;
  }

  gain(e: number): number {
    this.members.assertAddable(e, 'gain');
    return this.improvement(e);
  }

  private improvement(e: number): number {
    let g = 0;
    for (let v = 0; v < this.n; v++) {
      const d = this.sim[v * this.n + e] - this.best[v];
      if (d > 0) g += d;
    }
    return g;
  }

  gains(out: Float64Array): void {
    assertGainsBuffer(out, this.n);
    const mask = this.members.mask;
    for (let e = 0; e < this.n; e++) out[e] = mask[e] === 1 ? -Infinity : this.improvement(e);
  }

  commit(e: number): void {
    this.members.add(e);
    for (let v = 0; v < this.n; v++) {
      const s = this.sim[v * this.n + e];
      if (s > this.best[v]) {
        this.total += s - this.best[v];
        this.best[v] = s;
      }
    }
  }

  fork(): IncrementalOracle {
    return new FacilityLocationOracle(
      this.sim,
      this.n,
      this.members.clone(),
      this.best.slice(),
      this.total,
    );
  }
}
