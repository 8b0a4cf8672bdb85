/**
 * Generic submodularity and monotonicity checks for any {@link SetFunction},
 * by evaluation: exhaustive over every triple for small ground sets, seeded
 * sampling otherwise. A failure comes with the worst counterexample found.
 */
import type { SetFunction } from '@sublora/set-function';
import { InputError, type Random, createRandom } from '@sublora/tensor';

/** Options shared by {@link checkSubmodular} and {@link checkMonotone}. */
export interface SetFunctionCheckOptions {
  /**
   * `exhaustive` enumerates every case (allowed for `n <= 14`), `sampled`
   * draws `samples` random cases, `auto` (default) is exhaustive when
   * `n <= 10` and sampled otherwise.
   */
  readonly mode?: 'auto' | 'exhaustive' | 'sampled';
  /** Number of random cases in sampled mode (default 2000). */
  readonly samples?: number;
  /** Seed of the sampler (default 0); equal seeds give equal cases. */
  readonly seed?: number;
  /**
   * Slack for round-off: a case fails only when it misses by more than
   * `tolerance`. Default: `1e-10 * (1 + the largest |f| among the values compared)`.
   */
  readonly tolerance?: number;
}

/** A witness that `f` is not submodular: `A` is a subset of `B`, `e` is in neither, `gainA < gainB`. */
export interface SubmodularityCounterexample {
  /** The smaller set, strictly inside `B`. */
  readonly A: readonly number[];
  /** The larger set. */
  readonly B: readonly number[];
  /** The element added to both, not in `B`. */
  readonly e: number;
  /** `f(A + e) - f(A)`. */
  readonly gainA: number;
  /** `f(B + e) - f(B)`. */
  readonly gainB: number;
}

/** A witness that `f` is not monotone: `f(A + e) - f(A) = gain < 0`. */
export interface MonotonicityCounterexample {
  /** The set the element is added to. */
  readonly A: readonly number[];
  /** The element, not in `A`. */
  readonly e: number;
  /** `f(A + e) - f(A)`, negative. */
  readonly gain: number;
}

/** Result of {@link checkSubmodular}. */
export interface SubmodularityCheckResult {
  /** False iff some case failed beyond the tolerance. When sampled, true means "no counterexample found". */
  readonly submodular: boolean;
  /** How the cases were chosen. */
  readonly method: 'exhaustive' | 'sampled';
  /** Number of cases `(A strictly inside B, e outside B)` compared. */
  readonly checked: number;
  /** Number of failing cases. */
  readonly violations: number;
  /** The failing case with the largest `gainB - gainA`, if any. */
  readonly counterexample?: SubmodularityCounterexample;
}

/** Result of {@link checkMonotone}. */
export interface MonotonicityCheckResult {
  /** False iff some case failed beyond the tolerance. When sampled, true means "no counterexample found". */
  readonly monotone: boolean;
  /** How the cases were chosen. */
  readonly method: 'exhaustive' | 'sampled';
  /** Number of cases `(A, e outside A)` compared. */
  readonly checked: number;
  /** Number of failing cases. */
  readonly violations: number;
  /** The failing case with the most negative gain, if any. */
  readonly counterexample?: MonotonicityCounterexample;
}

const AUTO_EXHAUSTIVE_MAX_N = 10;
const EXHAUSTIVE_MAX_N = 14;
const DEFAULT_SAMPLES = 2000;

interface ResolvedOptions {
  readonly exhaustive: boolean;
  readonly samples: number;
  readonly seed: number;
  readonly tolerance: (scale: number) => number;
}

function resolveOptions(n: number, options: SetFunctionCheckOptions): ResolvedOptions {
  const mode = options.mode ?? 'auto';
  if (mode !== 'auto' && mode !== 'exhaustive' && mode !== 'sampled') {
    throw new InputError('mode', `'${String(mode)}' is not one of 'auto', 'exhaustive', 'sampled'`);
  }
  if (mode === 'exhaustive' && n > EXHAUSTIVE_MAX_N) {
    throw new InputError(
      'mode',
      `exhaustive needs n <= ${EXHAUSTIVE_MAX_N} (3^n cases) but n = ${n}; use mode 'sampled'`,
    );
  }
  const samples = options.samples ?? DEFAULT_SAMPLES;
  if (!Number.isInteger(samples) || samples < 1) {
    throw new InputError('samples', `${String(samples)} is not a positive integer`);
  }
  const { tolerance } = options;
  if (tolerance !== undefined && (!Number.isFinite(tolerance) || tolerance < 0)) {
    throw new InputError('tolerance', `${String(tolerance)} is not a finite number >= 0`);
  }
  return {
    exhaustive: mode === 'exhaustive' || (mode === 'auto' && n <= AUTO_EXHAUSTIVE_MAX_N),
    samples,
    seed: options.seed ?? 0,
    tolerance: tolerance === undefined ? (scale) => 1e-10 * (1 + scale) : () => tolerance,
  };
}

/** `f` on every subset, indexed by bitmask (bit `i` set = element `i` present). */
function allValues(f: SetFunction): Float64Array {
  const n = f.n;
  const values = new Float64Array(1 << n);
  for (let mask = 0; mask < values.length; mask++) values[mask] = f.evaluate(maskToSet(mask, n));
  return values;
}

function maskToSet(mask: number, n: number): number[] {
  const set: number[] = [];
  for (let i = 0; i < n; i++) if (mask & (1 << i)) set.push(i);
  return set;
}

function maxAbs4(a: number, b: number, c: number, d: number): number {
  return Math.max(Math.abs(a), Math.abs(b), Math.abs(c), Math.abs(d));
}

/**
 * Checks diminishing returns, `f(A + e) - f(A) >= f(B + e) - f(B)` for
 * `A` a subset of `B` and `e` outside `B`.
 *
 * Exhaustive mode evaluates `f` on all `2^n` subsets once and compares every
 * case (`n 3^(n-1) - n 2^(n-1)` of them); sampled mode draws `samples` cases (4 evaluations each)
 * from a seeded generator, with set sizes spread from empty to full.
 *
 * @example
 * const r = checkSubmodular(createCoverage([[0, 1], [1, 2]]));
 * r.submodular; // true
 */
export function checkSubmodular(
  f: SetFunction,
  options: SetFunctionCheckOptions = {},
): SubmodularityCheckResult {
  const n = f.n;
  const opts = resolveOptions(n, options);
  let checked = 0;
  let violations = 0;
  let worst: SubmodularityCounterexample | undefined;
  let worstExcess = 0;
  /**
   * Compares one case; the sets are built (by `sets`) only for a new worst
   * violation, so the exhaustive loop allocates nothing on passing cases.
   */
  const compare = (
    fA: number,
    fAe: number,
    fB: number,
    fBe: number,
    e: number,
    sets: () => [number[], number[]],
  ): void => {
    checked++;
    const gainA = fAe - fA;
    const gainB = fBe - fB;
    const excess = gainB - gainA;
    if (excess > 0 && excess > opts.tolerance(maxAbs4(fA, fAe, fB, fBe))) {
      violations++;
      if (worst === undefined || excess > worstExcess) {
        worstExcess = excess;
        const [A, B] = sets();
        worst = { A, B, e, gainA, gainB };
      }
    }
  };

  if (opts.exhaustive) {
    const values = allValues(f);
    const full = (1 << n) - 1;
    // b = 0 has no proper subset
    for (let b = 1; b <= full; b++) {
      // proper submasks a of b, from (b - 1) & b down to 0
      for (let a = (b - 1) & b; ; a = (a - 1) & b) {
        for (let e = 0; e < n; e++) {
          const bit = 1 << e;
          if (b & bit) continue;
          compare(values[a], values[a | bit], values[b], values[b | bit], e, () => [
            maskToSet(a, n),
            maskToSet(b, n),
          ]);
        }
        if (a === 0) break;
      }
    }
  } else if (n >= 2) {
    const rng = createRandom(opts.seed);
    for (let k = 0; k < opts.samples; k++) {
      const { A, B, e } = sampleChain(rng, n);
      const fA = f.evaluate(A);
      const fAe = f.evaluate([...A, e]);
      const fB = f.evaluate(B);
      const fBe = f.evaluate([...B, e]);
      compare(fA, fAe, fB, fBe, e, () => [A, B]);
    }
  }
  return {
    submodular: violations === 0,
    method: opts.exhaustive ? 'exhaustive' : 'sampled',
    checked,
    violations,
    ...(worst === undefined ? {} : { counterexample: worst }),
  };
}

/**
 * Draws `e`, then `B` from the other elements and `A` strictly inside `B`
 * (B nonempty). Inclusion probabilities are themselves uniform so that small,
 * medium and large sets all occur.
 */
function sampleChain(rng: Random, n: number): { A: number[]; B: number[]; e: number } {
  const e = rng.int(n);
  const pB = rng.uniform32();
  let B: number[] = [];
  for (let i = 0; i < n; i++) if (i !== e && rng.uniform32() < pB) B.push(i);
  if (B.length === 0) B = [(e + 1 + rng.int(n - 1)) % n];
  const pA = rng.uniform32();
  let A = B.filter(() => rng.uniform32() < pA);
  if (A.length === B.length) {
    const drop = rng.int(B.length);
    A = B.filter((_, k) => k !== drop);
  }
  return { A, B, e };
}

/**
 * Checks monotonicity, `f(A + e) >= f(A)` for every set `A` and `e` outside it.
 * Exhaustive mode compares all `2^n n` cases; sampled mode draws `samples`.
 *
 * @example
 * checkMonotone(createModular([1, -1])).counterexample; // { A: [], e: 1, gain: -1 }
 */
export function checkMonotone(
  f: SetFunction,
  options: SetFunctionCheckOptions = {},
): MonotonicityCheckResult {
  const n = f.n;
  const opts = resolveOptions(n, options);
  let checked = 0;
  let violations = 0;
  let worst: MonotonicityCounterexample | undefined;
  const consider = (a: () => number[], e: number, fA: number, fAe: number): void => {
    checked++;
    const gain = fAe - fA;
    if (gain < 0 && -gain > opts.tolerance(Math.max(Math.abs(fA), Math.abs(fAe)))) {
      violations++;
      if (worst === undefined || gain < worst.gain) worst = { A: a(), e, gain };
    }
  };
  if (opts.exhaustive) {
    const values = allValues(f);
    for (let a = 0; a < values.length; a++) {
      for (let e = 0; e < n; e++) {
        const bit = 1 << e;
        if (a & bit) continue;
        consider(() => maskToSet(a, n), e, values[a], values[a | bit]);
      }
    }
  } else if (n >= 1) {
    const rng = createRandom(opts.seed);
    for (let k = 0; k < opts.samples; k++) {
      const e = rng.int(n);
      const p = rng.uniform32();
      const A: number[] = [];
      for (let i = 0; i < n; i++) if (i !== e && rng.uniform32() < p) A.push(i);
      consider(() => A, e, f.evaluate(A), f.evaluate([...A, e]));
    }
  }
  return {
    monotone: violations === 0,
    method: opts.exhaustive ? 'exhaustive' : 'sampled',
    checked,
    violations,
    ...(worst === undefined ? {} : { counterexample: worst }),
  };
}
