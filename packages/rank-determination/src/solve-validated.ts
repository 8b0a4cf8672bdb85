/**
 * The solver behind `determineRanks` (`determine-ranks.ts`): every method on
 * validated host input, with one result shape and the same diagnostics.
 */
import {
  certifiedRatio,
  exactMaximize,
  greedy,
  quadraticSecondDifferences,
  randomGreedy,
} from '@sublora/greedy';
import type { BoundAssumption, ExactResult, SelectionResult } from '@sublora/greedy';
import { projectHessianRows } from '@sublora/hessian-projection';
import type { HessianRowsProjection } from '@sublora/hessian-projection';
import {
  createQuadraticObjective,
  createQuadraticObjectiveFromRows,
  symmetrizedRows,
} from '@sublora/set-function';
import { modularScores, topByScore } from './baselines';
import { EXACT_MAX_NODES, type MethodName } from './methods';
import { rawObjectiveValues, removalGains } from './objective';
import type { ValidatedInput } from './validate';
import { InputError } from '@sublora/tensor';

/** Optimality certificate of a greedy method or of `exact` (see {@link RankResult.certificate}). */
export interface RankCertificate {
  /**
   * Upper bound on the best value of the objective the method optimized
   * (the projected model for `sublora-*`, the raw one for `hess-g` and
   * `exact`) over `|S| <= budget` (`|S| = budget` for `exact`).
   */
  readonly upperBound: number;
  /**
   * `(f(kept) - f(empty)) / (upperBound - f(empty))` on that objective: the
   * selection is at least this fraction of optimal (normalized by f(empty)).
   */
  readonly ratio: number;
  /** Which objective the certificate is about. */
  readonly objective: 'projected' | 'raw';
  /**
   * The assumption under which the bound holds (always met here: the
   * objective is submodular). `'none'` for `exact`: its branch-and-bound
   * bound holds for the raw quadratic model as it is.
   */
  readonly assumption: BoundAssumption | 'none';
}

/** Facts about the problem and the run, measured, never assumed. */
export interface RankDiagnostics {
  /** True iff the raw model is submodular (Theorem 2: `H_ij sigma_i sigma_j >= 0` for all `i != j`). */
  readonly rawSubmodular: boolean;
  /** Number of pairs `i < j` with `H_ij sigma_i sigma_j < 0`. */
  readonly violationCount: number;
  /** Off-diagonal entries the projection set to 0 (`2 * violationCount`). */
  readonly projectionRemovedEntries: number;
  /** `||H - G||_F`. */
  readonly projectionFrobeniusDistance: number;
  /** `||H - G||_F / ||H||_F`. */
  readonly projectionRelativeFrobeniusDistance: number;
  /**
   * True iff the projected model is monotone (keeping more never lowers it):
   * exact, since for a submodular f it holds iff every removal gain
   * `-g_e sigma_e + 1/2 H_ee sigma_e^2` is >= 0 (up to round-off: 1e-12 of
   * the terms' size). Lemma 1 predicts it at a second-order stationary point.
   */
  readonly projectedMonotone: boolean;
  /** Greedy methods: every gain along the path was >= 0. Absent for the others. */
  readonly monotoneAlongPath?: boolean;
  /** Greedy methods: the gain of each pick, in pick order. */
  readonly gains?: readonly number[];
  /** Greedy methods: the picks in order (`kept` is sorted). */
  readonly pickOrder?: readonly number[];
  /** `exact`: sets the branch and bound visited. */
  readonly exactNodes?: number;
  /**
   * `exact`: true iff the search finished, so `kept` is optimal; false when it
   * stopped at its node limit ({@link EXACT_MAX_NODES} sets) with the best
   * set found; then `certificate.upperBound` bounds the optimum.
   */
  readonly exactComplete?: boolean;
  /** `exact`: `certificate.upperBound - f(kept)` on the raw model, 0 when complete. */
  readonly exactGap?: number;
  /** Where the O(r^2) work ran: `'host'` or the backend's name. */
  readonly computedOn: string;
}

/** Result of {@link determineRanks}. */
export interface RankResult {
  readonly method: MethodName;
  readonly budget: number;
  /** Kept indices, ascending, 0-based; always exactly `budget` of them. */
  readonly kept: readonly number[];
  /** Pruned (zeroed) indices, ascending. */
  readonly pruned: readonly number[];
  /**
   * `f(kept) = g_P.sigma_P - 1/2 sigma_P^T H_PP sigma_P` with the RAW Hessian,
   * not normalized (`P` = pruned). Keeping everything gives 0; `-f(kept)` is
   * the predicted loss change. Higher is better.
   */
  readonly objective: number;
  /** `f(kept) - f(empty)` with the raw Hessian: the gain over pruning everything. */
  readonly objectiveNormalized: number;
  /**
   * Second-order predicted change of the loss when the pruned values are
   * zeroed: `dL = -g_P.sigma_P + 1/2 sigma_P^T H_PP sigma_P = -objective`.
   * Lower is better; positive means the loss is predicted to rise.
   */
  readonly predictedLossChange: number;
  /** Kept count per layer, when `layers` was given. */
  readonly perLayer?: readonly number[];
  /** Greedy methods on a submodular objective: how close to optimal the selection provably is. */
  readonly certificate?: RankCertificate;
  readonly diagnostics: RankDiagnostics;
}

/** Work the async entry point may have done on a backend. */
export interface Precomputed {
  /** The projection `G` (read back, dense), its report, `G sigma` and `H sigma`. */
  readonly projection?: HessianRowsProjection;
  readonly computedOn?: string;
}

/** Runs the chosen method on validated host inputs. */
export function solveValidated(v: ValidatedInput, pre: Precomputed = {}): RankResult {
  // the host path's validation made the projection (G as a view of H) on its way
  const projection = pre.projection ?? v.projection ?? projectHessianRows(v.hessian, v.sigma);
  const removal = removalGains(v.sigma, v.grad, v.hessian);
  assertFiniteModel(removal, 'the removal gain -g_i sigma_i + 1/2 H_ii sigma_i^2 of index');
  const rawSubmodular = projection.report.removedEntries === 0;
  const run = runMethod(v, projection, removal, rawSubmodular);

  const keptMask = new Uint8Array(v.r);
  for (const e of run.picks) keptMask[e] = 1;
  const kept: number[] = [];
  const pruned: number[] = [];
  for (let i = 0; i < v.r; i++) (keptMask[i] === 1 ? kept : pruned).push(i);
  const raw = rawObjectiveValues(v.sigma, v.grad, v.hessian, projection.hSigma, keptMask);
  assertFiniteModel([raw.kept, raw.empty], 'the objective f(kept), f(empty) at position');

  const projectedMonotone = isMonotone(v, removal);
  const report = projection.report;
  const diagnostics: RankDiagnostics = {
    rawSubmodular,
    violationCount: report.removedPairs,
    projectionRemovedEntries: report.removedEntries,
    projectionFrobeniusDistance: report.frobeniusDistance,
    projectionRelativeFrobeniusDistance: report.relativeFrobeniusDistance,
    projectedMonotone,
    ...(run.selection && {
      monotoneAlongPath: run.selection.gains.every((g) => g >= 0),
      gains: run.selection.gains,
      pickOrder: run.selection.selected,
    }),
    ...(run.exact && {
      exactNodes: run.exact.nodes,
      exactComplete: run.exact.complete,
      exactGap: run.exact.gap,
    }),
    computedOn: pre.computedOn ?? 'host',
  };
  return {
    method: v.method,
    budget: v.budget,
    kept,
    pruned,
    objective: raw.kept,
    objectiveNormalized: raw.kept - raw.empty,
    predictedLossChange: -raw.kept,
    ...(v.layers && { perLayer: countPerLayer(keptMask, v.layers) }),
    ...(run.certificate && { certificate: run.certificate }),
    diagnostics,
  };
}

/**
 * Values finite inputs can still overflow to: the model's terms multiply
 * sigma twice into H, so 1e200 and 1e300 are enough. Reported against the
 * inputs (the caller's names), not the solver's.
 */
function assertFiniteModel(values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw modelOverflowError(`${what} ${i} is ${values[i]}`);
  }
}

/**
 * The error for a second-order model that overflows float64, `term` saying
 * which value did (e.g. `H_ij sigma_i sigma_j of pair (0, 1) is -Infinity`).
 * Exported so that the CLI's `check`, which prints such terms, refuses them
 * with the same message as `determineRanks`.
 *
 * @param inputs - the inputs the model was built from, for the message
 */
export function modelOverflowError(term: string, inputs = 'sigma and grad'): InputError {
  return new InputError(
    'hessian',
    `with this ${inputs} the second-order model overflows float64 (${term}); rescale the loss, e.g. divide grad and hessian by a common factor`,
  );
}

interface MethodRun {
  readonly picks: readonly number[];
  readonly selection?: SelectionResult;
  readonly certificate?: RankCertificate;
  readonly exact?: ExactResult;
}

function runMethod(
  v: ValidatedInput,
  projection: HessianRowsProjection,
  removal: Float64Array,
  rawSubmodular: boolean,
): MethodRun {
  const { sigma, grad, hessian, budget } = v;
  switch (v.method) {
    case 'magnitude':
    case 'linear':
    case 'adalora':
    case 'diag':
      return { picks: topByScore(modularScores(v.method, sigma, grad, hessian), budget) };
    case 'sublora-g':
    case 'sublora-r': {
      // G (a view: each committed row is made from H on demand) and G sigma
      // came with the projection: nothing to redo, no r x r array
      const f = createQuadraticObjectiveFromRows({
        sigma,
        grad,
        rows: projection.rows,
        hSigma: projection.projectedHSigma,
      });
      const selection =
        v.method === 'sublora-g'
          ? greedy(f, budget, { removalGains: removal })
          : randomGreedy(f, budget, { rule: 'proportional', seed: v.seed, removalGains: removal });
      return { picks: selection.selected, selection, certificate: certify(selection, 'projected') };
    }
    case 'hess-g': {
      // the raw model over H, validated already: (H + H^T) / 2 as a view, no r x r copy
      const { rows, product } = symmetrizedRows(hessian, sigma);
      const f = createQuadraticObjectiveFromRows({ sigma, grad, rows, hSigma: product });
      const selection = greedy(f, budget, { removalGains: removal });
      // The bound needs submodularity; the raw model has it only when nothing was projected away.
      return {
        picks: selection.selected,
        selection,
        ...(rawSubmodular && { certificate: certify(selection, 'raw') }),
      };
    }
    case 'exact': {
      const f = createQuadraticObjective({ sigma, grad, hessian });
      const secondDifferences = quadraticSecondDifferences(sigma, hessian);
      assertFiniteModel(secondDifferences.data, '-sigma_i H_ij sigma_j at flat index');
      const result = exactMaximize(f, budget, {
        cardinality: 'exactly',
        maxNodes: EXACT_MAX_NODES,
        bound: { kind: 'pairwise', secondDifferences },
      });
      const certificate: RankCertificate = {
        upperBound: result.upperBound,
        ratio: certifiedRatio(result.normalizedValue, result.upperBound - result.emptyValue),
        objective: 'raw',
        assumption: 'none',
      };
      return { picks: result.selected, exact: result, certificate };
    }
  }
}

function certify(selection: SelectionResult, objective: 'projected' | 'raw'): RankCertificate {
  return {
    upperBound: selection.upperBound,
    ratio: selection.boundRatio,
    objective,
    assumption: selection.boundAssumption,
  };
}

/**
 * Every removal gain >= 0, up to round-off: a gain that is a cancellation of
 * `-g_e sigma_e` and `1/2 H_ee sigma_e^2` down to 1e-12 of their size counts as 0.
 */
function isMonotone(v: ValidatedInput, removal: Float64Array): boolean {
  for (let e = 0; e < v.r; e++) {
    const s = v.sigma[e];
    const scale = Math.abs(v.grad[e] * s) + 0.5 * Math.abs(v.hessian.data[e * v.r + e] * s * s);
    if (removal[e] < -1e-12 * scale) return false;
  }
  return true;
}

function countPerLayer(keptMask: Uint8Array, layers: readonly number[]): number[] {
  const counts: number[] = [];
  let offset = 0;
  for (const size of layers) {
    let c = 0;
    for (let i = offset; i < offset + size; i++) c += keptMask[i];
    counts.push(c);
    offset += size;
  }
  return counts;
}
