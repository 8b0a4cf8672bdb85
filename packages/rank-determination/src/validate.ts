/**
 * Up-front validation of every {@link determineRanks} input. Each failure is
 * a one-line `InputError` naming the input and the fix, found before any
 * work; {@link validateInputE} reports all of them at once.
 */
import { sequenceS } from 'fp-ts/Apply';
import * as E from 'fp-ts/Either';
import { pipe } from 'fp-ts/function';
import * as RNEA from 'fp-ts/ReadonlyNonEmptyArray';
import { projectHessianRows } from '@sublora/hessian-projection';
import type { HessianRowsProjection } from '@sublora/hessian-projection';
import { assertSymmetric, InputError, toFloat64Matrix, toFloat64Vector } from '@sublora/tensor';
import type { MatrixLike, VectorLike } from '@sublora/tensor';
import { EXACT_MAX_RANK, METHODS } from './methods';
import type { MethodName } from './methods';
import { type InputProblems, Validation, attempt } from './problems';

/**
 * Host inputs after validation: float64 arrays. `hessian` may be the caller's
 * own `Float64Array` (see {@link validateInputE}); nothing downstream writes to it.
 */
export interface ValidatedInput {
  readonly sigma: Float64Array;
  readonly grad: Float64Array;
  readonly hessian: { readonly data: Float64Array; readonly size: number };
  readonly r: number;
  readonly budget: number;
  readonly method: MethodName;
  readonly layers: readonly number[] | undefined;
  readonly seed: number;
  /**
   * The host path's projection of `hessian`, made by the pass that checked it
   * (see {@link validateInputE}); absent when the projection runs on a backend.
   */
  readonly projection: HessianRowsProjection | undefined;
}

/** The host values to validate (tensors already read back). */
export interface HostValues {
  readonly sigma: VectorLike;
  readonly grad: VectorLike;
  readonly hessian: MatrixLike;
  readonly budget: number;
  readonly method: string;
  readonly layers?: readonly number[];
  readonly seed?: number;
}

/** Validates the method name alone (cheap; done before reading any tensor). */
export function validateMethodE(method: unknown): E.Either<InputProblems, MethodName> {
  if (typeof method !== 'string' || !(METHODS as readonly string[]).includes(method)) {
    return E.left(
      RNEA.of(
        new InputError(
          'method',
          `'${String(method)}' is not a rank-determination method; valid names: ${METHODS.join(', ')}`,
        ),
      ),
    );
  }
  return E.right(method as MethodName);
}

/**
 * Validates everything and returns float64 arrays, or every problem found
 * (the throwing entry points throw the first). Checks that do
 * not depend on each other are all run: the method, the seed, and, once
 * `sigma` gives `r`, `grad`, `hessian`, `budget` and `layers`; the `exact`
 * method's limit on `r` is checked when everything else holds. Problems come
 * in input order, so the first is the one the throwing entry points throw.
 *
 * A `{ data: Float64Array, size }` Hessian is checked in place and used as is
 * unless `forBackend` (set it when the caller awaits between validation and
 * use, so a later change to the caller's array cannot leak in).
 *
 * On the host path, the Hessian's finiteness and symmetry are checked by the
 * same tiled pass that projects it (`projectHessianRows`: one pass over `H`
 * instead of three, with the errors and messages of `toFloat64Matrix` and
 * `assertSymmetric`, in their order); its result comes back as `projection`.
 */
export function validateInputE(
  values: HostValues,
  forBackend = false,
): E.Either<InputProblems, ValidatedInput> {
  const sized = pipe(
    attempt(() => {
      const sigma = toFloat64Vector('sigma', values.sigma);
      if (sigma.length === 0)
        throw new InputError('sigma', 'is empty; pass at least one singular value');
      return sigma;
    }),
    E.chain((sigma) => {
      const r = sigma.length;
      return sequenceS(Validation)({
        sigma: E.right(sigma),
        grad: attempt(() => toFloat64Vector('grad', values.grad, r)),
        checked: attempt(() => checkHessian(values.hessian, sigma, forBackend)),
        budget: budgetE(values.budget, r),
        layers:
          values.layers === undefined
            ? E.right(undefined)
            : attempt(() => validateLayers(values.layers as readonly number[], r)),
      });
    }),
  );
  return pipe(
    sequenceS(Validation)({
      method: validateMethodE(values.method),
      sized,
      seed: seedE(values.seed),
    }),
    E.chain(({ method, sized: { sigma, grad, checked, budget, layers }, seed }) => {
      const r = sigma.length;
      if (method === 'exact' && r > EXACT_MAX_RANK) {
        return E.left(
          RNEA.of(
            new InputError(
              'method',
              `'exact' handles r <= ${EXACT_MAX_RANK} singular values but r = ${r}; use 'sublora-g' (its certificate bounds the gap to the optimum)`,
            ),
          ),
        );
      }
      const { hessian, projection } = checked;
      return E.right({ sigma, grad, hessian, r, budget, method, layers, seed, projection });
    }),
  );
}

/** The Hessian as float64 rows, checked finite and symmetric; projected too on the host path. */
function checkHessian(
  values: MatrixLike,
  sigma: Float64Array,
  forBackend: boolean,
): { hessian: ValidatedInput['hessian']; projection: HessianRowsProjection | undefined } {
  const r = sigma.length;
  const hessian = toFloat64Matrix('hessian', values, r, {
    copy: forBackend,
    checkFinite: forBackend,
  });
  if (!forBackend) return { hessian, projection: projectHessianRows(hessian, sigma) };
  assertSymmetric('hessian', hessian);
  return { hessian, projection: undefined };
}

function budgetE(budget: number, r: number): E.Either<InputProblems, number> {
  return Number.isInteger(budget) && budget >= 0 && budget <= r
    ? E.right(budget)
    : E.left(
        RNEA.of(
          new InputError(
            'budget',
            `${String(budget)} is not an integer in [0, ${r}]; pass how many singular values to keep (r = ${r})`,
          ),
        ),
      );
}

function seedE(seed: number | undefined): E.Either<InputProblems, number> {
  const s = seed ?? 0;
  return Number.isSafeInteger(s)
    ? E.right(s)
    : E.left(
        RNEA.of(new InputError('seed', `${String(s)} is not a safe integer; pass e.g. 0 or 12345`)),
      );
}

function validateLayers(layers: readonly number[], r: number): number[] {
  if (!Array.isArray(layers)) {
    throw new InputError('layers', 'expected an array of layer sizes, e.g. [50, 50]');
  }
  let total = 0;
  for (let l = 0; l < layers.length; l++) {
    const size = layers[l];
    if (!Number.isInteger(size) || size < 0) {
      throw new InputError(
        'layers',
        `entry ${l} is ${String(size)}; every layer size must be a non-negative integer`,
      );
    }
    total += size;
  }
  if (total !== r) {
    throw new InputError(
      'layers',
      `sizes sum to ${total} but sigma has ${r} entries; the layer sizes must add up to r`,
    );
  }
  return layers.slice();
}
