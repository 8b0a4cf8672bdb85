/**
 * Up-front validation of every {@link determineRanks} input. Each failure is
 * a one-line `InputError` naming the input and the fix, raised before any work.
 */
import { projectHessianRows } from '@sublora/hessian-projection';
import type { HessianRowsProjection } from '@sublora/hessian-projection';
import { assertSymmetric, InputError, toFloat64Matrix, toFloat64Vector } from '@sublora/tensor';
import type { MatrixLike, VectorLike } from '@sublora/tensor';
import { EXACT_MAX_RANK, METHODS } from './methods';
import type { MethodName } from './methods';

/**
 * Host inputs after validation: float64 arrays. `hessian` may be the caller's
 * own `Float64Array` (see {@link validateInput}); nothing downstream writes to it.
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
   * (see {@link validateInput}); absent when the projection runs on a backend.
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
export function validateMethod(method: unknown): MethodName {
  if (typeof method !== 'string' || !(METHODS as readonly string[]).includes(method)) {
    throw new InputError(
      'method',
      `'${String(method)}' is not a rank-determination method; valid names: ${METHODS.join(', ')}`,
    );
  }
  return method as MethodName;
}

/**
 * Validates everything and returns float64 arrays. A `{ data: Float64Array,
 * size }` Hessian is checked in place and used as is unless `forBackend`
 * (set it when the caller awaits between validation and use, so a later
 * change to the caller's array cannot leak in).
 *
 * On the host path, the Hessian's finiteness and symmetry are checked by the
 * same tiled pass that projects it (`projectHessianRows`: one pass over `H`
 * instead of three, with the errors and messages of `toFloat64Matrix` and
 * `assertSymmetric`, in their order); its result comes back as `projection`.
 */
export function validateInput(values: HostValues, forBackend = false): ValidatedInput {
  const method = validateMethod(values.method);
  const sigma = toFloat64Vector('sigma', values.sigma);
  const r = sigma.length;
  if (r === 0) throw new InputError('sigma', 'is empty; pass at least one singular value');
  const grad = toFloat64Vector('grad', values.grad, r);
  const hessian = toFloat64Matrix('hessian', values.hessian, r, {
    copy: forBackend,
    checkFinite: forBackend,
  });
  let projection: HessianRowsProjection | undefined;
  if (forBackend) assertSymmetric('hessian', hessian);
  else projection = projectHessianRows(hessian, sigma);
  const { budget } = values;
  if (!Number.isInteger(budget) || budget < 0 || budget > r) {
    throw new InputError(
      'budget',
      `${String(budget)} is not an integer in [0, ${r}]; pass how many singular values to keep (r = ${r})`,
    );
  }
  const layers = values.layers === undefined ? undefined : validateLayers(values.layers, r);
  const seed = values.seed ?? 0;
  if (!Number.isSafeInteger(seed)) {
    throw new InputError('seed', `${String(seed)} is not a safe integer; pass e.g. 0 or 12345`);
  }
  if (method === 'exact' && r > EXACT_MAX_RANK) {
    throw new InputError(
      'method',
      `'exact' handles r <= ${EXACT_MAX_RANK} singular values but r = ${r}; use 'sublora-g' (its certificate bounds the gap to the optimum)`,
    );
  }
  return { sigma, grad, hessian, r, budget, method, layers, seed, projection };
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
