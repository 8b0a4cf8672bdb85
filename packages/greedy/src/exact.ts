/**
 * Exact maximization of a set function under a cardinality constraint:
 * depth-first branch and bound, and a brute-force enumerator for tests.
 *
 * Branch and bound needs a valid upper bound on `f(S + T) - f(S)` over the
 * sets `T` still reachable from a node. Three choices, see {@link ExactBound}:
 *
 * - `submodular`: `f(S + T) - f(S) <= sum_{t in T} gain(t | S)` (telescoping
 *   plus diminishing returns; monotonicity is NOT needed).
 * - `pairwise`: for any f whose second differences
 *   `f(S+t+u) - f(S+t) - f(S+u) + f(S)` are at most `D_tu` for every `S`,
 *   `f(S + T) - f(S) <= sum_t gain(t | S) + sum_{t<u in T} max(D_tu, 0)
 *                     <= sum_t [gain(t | S) + 1/2 (sum of the |T|-1 largest max(D_tu, 0), u != t)]`.
 *   For the quadratic objective the second differences are constant,
 *   `D_tu = -sigma_t M_tu sigma_u` ({@link quadraticSecondDifferences}), so this
 *   bound is valid for the RAW (non-submodular) Hessian.
 * - `none`: no pruning; exhaustive enumeration, correct for every f.
 *
 * The per-node bound is `f(S)` plus the sum of the `k` largest per-element
 * terms (`k` = slots left; only the positive ones when `|T| < k` is allowed).
 */
import type { IncrementalOracle, SetFunction } from '@sublora/set-function';
import { InputError, toFloat64Matrix, toFloat64Vector } from '@sublora/tensor';
import type { MatrixLike, VectorLike } from '@sublora/tensor';
import { greedy } from './greedy';
import { sumTopInPlace } from './top-sum';
import { assertBudget } from './validate';

/** How the exact solver bounds a subtree. */
export type ExactBound =
  | { readonly kind: 'none' }
  | { readonly kind: 'submodular' }
  | { readonly kind: 'pairwise'; readonly secondDifferences: MatrixLike };

/** `'atMost'`: `|S| <= budget` (the textbook problem). `'exactly'`: `|S| = budget` (a rank budget that is always filled). */
export type Cardinality = 'atMost' | 'exactly';

/** Options of {@link exactMaximize}. */
export interface ExactOptions {
  /** Default `'atMost'`. */
  readonly cardinality?: Cardinality;
  /** Default `{ kind: 'none' }` (exhaustive, valid for any f). */
  readonly bound?: ExactBound;
  /**
   * Most sets the search visits. With a bound, reaching it stops the search,
   * which then returns the best set found with `complete: false` and a
   * certified `upperBound` on the optimum. Default 2 000 000 (about 3 s).
   */
  readonly maxNodes?: number;
}

/** Result of {@link exactMaximize} and {@link bruteForceMaximize}. */
export interface ExactResult {
  /** The best set found, indices ascending: optimal when `complete`. */
  readonly selected: readonly number[];
  /** Its value `f(selected)`. */
  readonly value: number;
  /** `f(empty)`. */
  readonly emptyValue: number;
  /** `value - emptyValue`. */
  readonly normalizedValue: number;
  /** Sets visited (evaluated). */
  readonly nodes: number;
  /** True iff the search finished, so `selected` is optimal; false when it stopped at `maxNodes`. */
  readonly complete: boolean;
  /**
   * Certified upper bound on the optimal value: `value` when `complete`;
   * otherwise the largest bound of the subtrees left unexplored (each bound
   * plus a round-off allowance of 1e-9 of its terms' size, relative), at least `value`.
   */
  readonly upperBound: number;
  /** `upperBound - value` (0 when `complete`): how far below the optimum `value` can be. */
  readonly gap: number;
}

/** Largest ground set the exact solvers accept. */
export const EXACT_MAX_ELEMENTS = 64;
/** Largest ground set {@link bruteForceMaximize} accepts. */
export const BRUTE_FORCE_MAX_ELEMENTS = 30;
const DEFAULT_MAX_NODES = 2_000_000;

/**
 * `D_tu = -sigma_t M_tu sigma_u` (0 on the diagonal): the constant second
 * differences of the quadratic objective `f(S) = c_P.sigma_P - 1/2 sigma_P^T M_PP sigma_P`.
 * Pass them as `{ kind: 'pairwise', secondDifferences }` to solve the raw,
 * non-submodular objective exactly.
 */
export function quadraticSecondDifferences(
  sigma: VectorLike,
  hessian: MatrixLike,
): { data: Float64Array; size: number } {
  const s = toFloat64Vector('sigma', sigma);
  const r = s.length;
  const m = toFloat64Matrix('hessian', hessian, r);
  const d = new Float64Array(r * r);
  for (let t = 0; t < r; t++) {
    for (let u = 0; u < r; u++) if (u !== t) d[t * r + u] = -s[t] * m.data[t * r + u] * s[u];
  }
  return { data: d, size: r };
}

/**
 * Number of sets the search space holds: `sum_{k <= b} C(n, k)` for
 * `'atMost'`, `C(n, b)` for `'exactly'` (as a float; may be huge).
 */
export function countSubsets(n: number, budget: number, cardinality: Cardinality): number {
  let c = 1;
  let total = cardinality === 'atMost' || budget === 0 ? 1 : 0;
  for (let k = 1; k <= budget; k++) {
    c = (c * (n - k + 1)) / k;
    if (cardinality === 'atMost' || k === budget) total += c;
  }
  return Math.round(total);
}

/**
 * Exact maximizer of `f` under the cardinality constraint, by branch and bound.
 *
 * Limits: at most {@link EXACT_MAX_ELEMENTS} elements; with `bound: none` the
 * whole search space must fit in `maxNodes` (checked up front); with a bound
 * the search stops once it has visited `maxNodes` sets and returns the best
 * set found with `complete: false` and a certified `upperBound` (and `gap`).
 * In practice r ~ 30 with budget <= 10 runs in well under a second with the
 * submodular or pairwise bound; ties (e.g. equal sigma, identity Hessian) can
 * defeat the bound, and then the limit answers within the gap.
 *
 * @example
 * const f = createModular([3, -1, 2]);
 * exactMaximize(f, 2, { bound: { kind: 'submodular' } }).selected; // [0, 2]
 */
export function exactMaximize(
  f: SetFunction,
  budget: number,
  options: ExactOptions = {},
): ExactResult {
  const n = f.n;
  assertBudget(budget, n);
  const {
    cardinality = 'atMost',
    bound = { kind: 'none' },
    maxNodes = DEFAULT_MAX_NODES,
  } = options;
  assertCardinality(cardinality);
  if (n > EXACT_MAX_ELEMENTS) {
    throw new InputError(
      'f',
      `has ${n} elements but the exact solver handles at most ${EXACT_MAX_ELEMENTS}; use greedy (with its upperBound) for larger problems`,
    );
  }
  const interactions = boundInteractions(bound, n);
  if (bound.kind === 'none' && countSubsets(n, budget, cardinality) > maxNodes) {
    throw new InputError(
      'budget',
      `exhaustive search over ${countSubsets(n, budget, cardinality)} sets exceeds maxNodes=${maxNodes}; lower the budget, raise maxNodes, or give a submodular/pairwise bound`,
    );
  }
  return new BranchAndBound(
    f,
    budget,
    cardinality,
    bound.kind !== 'none',
    interactions,
    maxNodes,
  ).run();
}

/**
 * Evaluates `f` on every feasible set and returns the best (first found in
 * lexicographic order among equals). For tests: at most
 * {@link BRUTE_FORCE_MAX_ELEMENTS} elements and 2 000 000 sets.
 */
export function bruteForceMaximize(
  f: SetFunction,
  budget: number,
  cardinality: Cardinality = 'atMost',
): ExactResult {
  const n = f.n;
  assertBudget(budget, n);
  assertCardinality(cardinality);
  const total = countSubsets(n, budget, cardinality);
  if (n > BRUTE_FORCE_MAX_ELEMENTS || total > DEFAULT_MAX_NODES) {
    throw new InputError(
      'budget',
      `brute force over ${total} sets of ${n} elements is too large; it is meant for tests (n <= ${BRUTE_FORCE_MAX_ELEMENTS}, <= ${DEFAULT_MAX_NODES} sets)`,
    );
  }
  const emptyValue = f.evaluate([]);
  let best: number[] = [];
  let bestValue = cardinality === 'atMost' || budget === 0 ? emptyValue : -Infinity;
  let nodes = 1;
  const current: number[] = [];
  const visit = (start: number): void => {
    for (let e = start; e < n; e++) {
      current.push(e);
      if (cardinality === 'atMost' || current.length === budget) {
        nodes++;
        const v = f.evaluate(current);
        if (v > bestValue) {
          bestValue = v;
          best = current.slice();
        }
      }
      if (current.length < budget) visit(e + 1);
      current.pop();
    }
  };
  if (budget > 0) visit(0);
  return {
    selected: best,
    value: bestValue,
    emptyValue,
    normalizedValue: bestValue - emptyValue,
    nodes,
    complete: true,
    upperBound: bestValue,
    gap: 0,
  };
}

function assertCardinality(cardinality: string): void {
  if (cardinality !== 'atMost' && cardinality !== 'exactly') {
    throw new InputError(
      'cardinality',
      `'${cardinality}' is not valid; pass 'atMost' or 'exactly'`,
    );
  }
}

/** Positive parts of the second-difference bounds, per row sorted descending (`undefined` when none apply). */
function boundInteractions(
  bound: ExactBound,
  n: number,
): { ids: Int32Array[]; values: Float64Array[] } | undefined {
  if (bound.kind === 'none' || bound.kind === 'submodular') return undefined;
  if (bound.kind !== 'pairwise') {
    throw new InputError(
      'bound',
      `kind '${String((bound as { kind: unknown }).kind)}' is not valid; pass 'none', 'submodular' or 'pairwise'`,
    );
  }
  const d = toFloat64Matrix('secondDifferences', bound.secondDifferences, n);
  const ids: Int32Array[] = [];
  const values: Float64Array[] = [];
  for (let t = 0; t < n; t++) {
    const row: number[] = [];
    for (let u = 0; u < n; u++) if (u !== t && d.data[t * n + u] > 0) row.push(u);
    row.sort((a, b) => d.data[t * n + b] - d.data[t * n + a]);
    ids.push(Int32Array.from(row));
    values.push(Float64Array.from(row, (u) => d.data[t * n + u]));
  }
  return { ids, values };
}

/** Depth-first branch and bound over candidates ordered by their gain at the empty set. */
class BranchAndBound {
  private readonly n: number;
  private readonly order: Int32Array;
  /** rank[e] = position of e in `order`. */
  private readonly rank: Int32Array;
  private readonly gains: Float64Array;
  private readonly terms: Float64Array;
  private bestValue = -Infinity;
  private best: readonly number[] = [];
  private nodes = 0;
  /** Set once `maxNodes` is reached; the search then unwinds, bounding what it leaves. */
  private stopped = false;
  /** Largest bound of the subtrees left unexplored after a stop. */
  private openBound = -Infinity;

  constructor(
    private readonly f: SetFunction,
    private readonly budget: number,
    private readonly cardinality: Cardinality,
    private readonly prune: boolean,
    private readonly interactions: { ids: Int32Array[]; values: Float64Array[] } | undefined,
    private readonly maxNodes: number,
  ) {
    this.n = f.n;
    this.gains = new Float64Array(this.n);
    this.terms = new Float64Array(this.n);
    this.order = new Int32Array(this.n);
    this.rank = new Int32Array(this.n);
  }

  run(): ExactResult {
    const root = this.f.oracle();
    const emptyValue = root.value();
    root.gains(this.gains);
    const sorted = Array.from({ length: this.n }, (_, i) => i).sort(
      (a, b) => this.gains[b] - this.gains[a] || a - b,
    );
    sorted.forEach((e, pos) => {
      this.order[pos] = e;
      this.rank[e] = pos;
    });
    if (this.prune && this.budget > 0) {
      // A good incumbent up front makes the bound bite early.
      const seed = greedy(this.f, this.budget, {
        stopWhenNonPositive: this.cardinality === 'atMost',
      });
      if (this.feasible(seed.selected.length)) this.record(seed.value, seed.selected);
    }
    this.visit(root, 0, this.budget);
    const upperBound = this.stopped ? Math.max(this.openBound, this.bestValue) : this.bestValue;
    return {
      selected: [...this.best].sort((a, b) => a - b),
      value: this.bestValue,
      emptyValue,
      normalizedValue: this.bestValue - emptyValue,
      nodes: this.nodes,
      complete: !this.stopped,
      upperBound,
      gap: upperBound - this.bestValue,
    };
  }

  private feasible(size: number): boolean {
    return this.cardinality === 'atMost' || size === this.budget;
  }

  private record(value: number, set: readonly number[]): void {
    if (value > this.bestValue) {
      this.bestValue = value;
      this.best = set.slice();
    }
  }

  /** Explores every set `S + T` with `T` drawn from `order[pos..]` and `|T| <= slots`. */
  private visit(oracle: IncrementalOracle, pos: number, slots: number): void {
    this.nodes++;
    const value = oracle.value();
    if (this.feasible(this.budget - slots)) this.record(value, oracle.selected);
    this.descend(oracle, value, pos, slots);
  }

  /** Branches on `order[pos]` (include, then exclude), pruning by the bound. */
  private descend(oracle: IncrementalOracle, value: number, pos: number, slots: number): void {
    for (; pos < this.n && slots > 0; pos++) {
      if (this.cardinality === 'exactly' && this.n - pos < slots) return;
      if (this.prune && this.bound(oracle, value, pos, slots) < this.bestValue) return;
      if (this.nodes >= this.maxNodes) this.stopped = true;
      if (this.stopped) {
        // Every set left at this level adds elements of order[pos..] to S: the bound covers them all.
        const open = this.prune ? this.bound(oracle, value, pos, slots) : Infinity;
        this.openBound = Math.max(this.openBound, open);
        return;
      }
      const child = oracle.fork();
      child.commit(this.order[pos]);
      this.visit(child, pos + 1, slots - 1);
      // Excluding order[pos] and moving on is the loop's next iteration.
    }
  }

  /** Upper bound on `f(S + T)` over `T` from `order[pos..]`, minus a round-off allowance. */
  private bound(oracle: IncrementalOracle, value: number, pos: number, slots: number): number {
    oracle.gains(this.gains);
    let count = 0;
    let magnitude = Math.abs(value);
    for (let p = pos; p < this.n; p++) {
      const t = this.order[p];
      let term = this.gains[t];
      if (this.interactions && slots > 1) term += 0.5 * this.topInteractions(t, pos, slots - 1);
      this.terms[count++] = term;
      magnitude += Math.abs(term);
    }
    const upper = value + sumTopInPlace(this.terms, count, slots, this.cardinality === 'atMost');
    // Prune only when the bound is below the incumbent by more than round-off,
    // which scales with the terms (an absolute part would stop all pruning
    // once g and H are small, e.g. a loss scaled by 1e-12).
    return upper + 1e-9 * magnitude;
  }

  /** Sum of the `k` largest positive second-difference bounds between `t` and candidates at positions >= pos. */
  private topInteractions(t: number, pos: number, k: number): number {
    const ids = this.interactions!.ids[t];
    const values = this.interactions!.values[t];
    let sum = 0;
    let taken = 0;
    for (let q = 0; q < ids.length && taken < k; q++) {
      if (this.rank[ids[q]] >= pos) {
        sum += values[q];
        taken++;
      }
    }
    return sum;
  }
}
