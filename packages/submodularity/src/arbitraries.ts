/**
 * fast-check arbitraries for set functions. They generate plain data
 * (`SetFunctionSpec`: arrays of numbers, readable in a failing report and
 * shrinkable), turned into a live {@link SetFunction} by {@link buildSetFunction}.
 */
import fc from 'fast-check';
import {
  createConcaveOfModular,
  createCoverage,
  createFacilityLocation,
  createModular,
  createQuadraticObjective,
} from '@sublora/set-function';
import type { SetFunction } from '@sublora/set-function';

/** Data of a quadratic SubLoRA objective `f(S) = g_P.sigma_P - 1/2 sigma_P^T H_PP sigma_P`. */
export interface QuadraticInstance {
  /** Singular values. */
  readonly sigma: number[];
  /** Gradient of the loss in sigma. */
  readonly grad: number[];
  /** Symmetric, as rows. */
  readonly hessian: number[][];
}

/** Concave outer functions available to a generated concave-of-modular spec. */
export type ConcaveName = 'sqrt' | 'log1p';

/** A set function as plain data; see {@link buildSetFunction}. */
export type SetFunctionSpec =
  | { readonly kind: 'modular'; readonly weights: number[] }
  | { readonly kind: 'coverage'; readonly sets: number[][]; readonly weights: number[] }
  | { readonly kind: 'facility-location'; readonly similarity: number[][] }
  | {
      readonly kind: 'concave-of-modular';
      readonly weights: number[];
      readonly concave: ConcaveName;
    }
  | ({ readonly kind: 'quadratic' } & QuadraticInstance);

/** Ground-set size range of the generated functions. */
export interface SizeOptions {
  /** Smallest ground set (default 1). */
  readonly minSize?: number;
  /** Largest ground set (default 6; keep it small for exhaustive checks). */
  readonly maxSize?: number;
}

/** Options of {@link arbQuadraticInstance}. */
export interface QuadraticInstanceOptions extends SizeOptions {
  /** Smallest magnitude of any generated entry (default 0.1): keeps values away from 0. */
  readonly minAbs?: number;
  /** Largest magnitude of any generated entry (default 2). */
  readonly maxAbs?: number;
  /**
   * `'any'` (default): off-diagonal entries of either sign.
   * `'submodular'`: off-diagonal `H_ij` has the sign of `sigma_i sigma_j` or is
   * exactly 0, so the instance meets Theorem 2 (what a projected Hessian looks like).
   */
  readonly hessian?: 'any' | 'submodular';
}

const CONCAVES: Record<ConcaveName, (x: number) => number> = {
  sqrt: Math.sqrt,
  log1p: Math.log1p,
};

function sizeArb(options: SizeOptions): fc.Arbitrary<number> {
  return fc.integer({ min: options.minSize ?? 1, max: options.maxSize ?? 6 });
}

function magnitude(minAbs: number, maxAbs: number): fc.Arbitrary<number> {
  return fc.double({ min: minAbs, max: maxAbs, noNaN: true });
}

function signed(minAbs: number, maxAbs: number): fc.Arbitrary<number> {
  return fc
    .tuple(fc.boolean(), magnitude(minAbs, maxAbs))
    .map(([negative, x]) => (negative ? -x : x));
}

function vector<T>(entry: fc.Arbitrary<T>, n: number): fc.Arbitrary<T[]> {
  return fc.array(entry, { minLength: n, maxLength: n });
}

/** Rows of an `n` x `n` matrix whose entries come from `entry(i, j)`, optionally mirrored to be symmetric. */
function squareMatrix(
  n: number,
  entry: (i: number, j: number) => fc.Arbitrary<number>,
  symmetric: boolean,
): fc.Arbitrary<number[][]> {
  const cells: fc.Arbitrary<number>[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = symmetric ? i : 0; j < n; j++) cells.push(entry(i, j));
  }
  return fc.tuple(...cells).map((values) => {
    const rows = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    let k = 0;
    for (let i = 0; i < n; i++) {
      for (let j = symmetric ? i : 0; j < n; j++) {
        rows[i][j] = values[k];
        if (symmetric) rows[j][i] = values[k];
        k++;
      }
    }
    return rows;
  });
}

/**
 * Random quadratic SubLoRA instances: `sigma`, `grad` and a symmetric `H`,
 * every entry of magnitude in `[minAbs, maxAbs]` with a random sign (so no
 * Theorem-2 product is degenerate), except exact zeros off the diagonal when
 * `hessian: 'submodular'`.
 *
 * @example
 * fc.assert(fc.property(arbQuadraticInstance({ maxSize: 5 }), (q) => q.sigma.length <= 5));
 */
export function arbQuadraticInstance(
  options: QuadraticInstanceOptions = {},
): fc.Arbitrary<QuadraticInstance> {
  const minAbs = options.minAbs ?? 0.1;
  const maxAbs = options.maxAbs ?? 2;
  const value = signed(minAbs, maxAbs);
  return sizeArb(options).chain((n) =>
    fc.tuple(vector(value, n), vector(value, n)).chain(([sigma, grad]) => {
      const entry =
        options.hessian === 'submodular'
          ? (i: number, j: number): fc.Arbitrary<number> =>
              i === j
                ? value
                : fc.oneof(
                    fc.constant(0),
                    magnitude(minAbs, maxAbs).map((x) => x * Math.sign(sigma[i] * sigma[j])),
                  )
          : (): fc.Arbitrary<number> => value;
      return squareMatrix(n, entry, true).map((hessian) => ({ sigma, grad, hessian }));
    }),
  );
}

function arbCoverage(
  options: SizeOptions,
  weight: fc.Arbitrary<number>,
): fc.Arbitrary<SetFunctionSpec> {
  return fc.integer({ min: 1, max: 8 }).chain((items) =>
    fc.record({
      kind: fc.constant('coverage' as const),
      sets: sizeArb(options).chain((n) =>
        vector(fc.uniqueArray(fc.integer({ min: 0, max: items - 1 }), { maxLength: items }), n),
      ),
      weights: vector(weight, items),
    }),
  );
}

function arbFacilityLocation(options: SizeOptions): fc.Arbitrary<SetFunctionSpec> {
  return sizeArb(options).chain((n) =>
    squareMatrix(n, () => fc.double({ min: 0, max: 2, noNaN: true }), false).map((similarity) => ({
      kind: 'facility-location' as const,
      similarity,
    })),
  );
}

function arbConcaveOfModular(options: SizeOptions): fc.Arbitrary<SetFunctionSpec> {
  return fc.record({
    kind: fc.constant('concave-of-modular' as const),
    weights: sizeArb(options).chain((n) => vector(fc.double({ min: 0, max: 3, noNaN: true }), n)),
    concave: fc.constantFrom<ConcaveName>('sqrt', 'log1p'),
  });
}

function arbModular(
  options: SizeOptions,
  weight: fc.Arbitrary<number>,
): fc.Arbitrary<SetFunctionSpec> {
  return sizeArb(options).chain((n) =>
    vector(weight, n).map((weights) => ({ kind: 'modular' as const, weights })),
  );
}

/**
 * Random submodular functions of every kind this package knows: modular
 * (signed weights), weighted coverage, facility location, concave of modular,
 * and quadratic SubLoRA objectives whose Hessian meets Theorem 2 (these are in
 * general neither monotone nor normalized).
 */
export function arbSubmodularInstance(options: SizeOptions = {}): fc.Arbitrary<SetFunctionSpec> {
  return fc.oneof(
    arbModular(options, signed(0.1, 2)),
    arbCoverage(options, fc.double({ min: 0, max: 2, noNaN: true })),
    arbFacilityLocation(options),
    arbConcaveOfModular(options),
    arbQuadraticInstance({ ...options, hessian: 'submodular' }).map((q) => ({
      kind: 'quadratic' as const,
      ...q,
    })),
  );
}

/**
 * Random normalized (`f(empty) = 0`), monotone, submodular functions: modular
 * with nonnegative weights, weighted coverage, facility location and concave
 * of modular. The setting of the `(1 - 1/e)` greedy guarantee.
 */
export function arbMonotoneSubmodular(options: SizeOptions = {}): fc.Arbitrary<SetFunctionSpec> {
  return fc.oneof(
    arbModular(options, fc.double({ min: 0, max: 2, noNaN: true })),
    arbCoverage(options, fc.double({ min: 0, max: 2, noNaN: true })),
    arbFacilityLocation(options),
    arbConcaveOfModular(options),
  );
}

/** Builds the live set function a {@link SetFunctionSpec} describes. */
export function buildSetFunction(spec: SetFunctionSpec): SetFunction {
  switch (spec.kind) {
    case 'modular':
      return createModular(spec.weights);
    case 'coverage':
      return createCoverage(spec.sets, spec.weights);
    case 'facility-location':
      return createFacilityLocation(spec.similarity);
    case 'concave-of-modular':
      return createConcaveOfModular(spec.weights, CONCAVES[spec.concave]);
    case 'quadratic':
      return createQuadraticObjective(spec);
  }
}
