/**
 * The public entry points: `determineRanks` (async; accepts backend tensors
 * and does the r x r work on a backend when given one) and
 * `determineRanksSync` (host arrays only, no promise), each with its fp-ts
 * form (`determineRanksE`, `determineRanksSyncE`) that returns every input
 * problem instead of throwing the first.
 */
import * as E from 'fp-ts/Either';
import { pipe } from 'fp-ts/function';
import * as RNEA from 'fp-ts/ReadonlyNonEmptyArray';
import * as TE from 'fp-ts/TaskEither';
import { projectHessianOn } from '@sublora/hessian-projection';
import { denseSymmetricRows } from '@sublora/set-function';
import { InputError, toFloat64Matrix, toFloat64Vector } from '@sublora/tensor';
import type { Backend, DType, MatrixLike, Tensor, VectorLike } from '@sublora/tensor';
import { solveValidated } from './solve-validated';
import type { Precomputed, RankResult } from './solve-validated';
import type { MethodName } from './methods';
import { hessianTimesSigma } from './objective';
import { type InputProblems, attempt, attemptAsync, throwFirst } from './problems';
import { validateInputE, validateMethodE } from './validate';
import type { HostValues, ValidatedInput } from './validate';

/** Inputs of {@link determineRanks}. */
export interface RankInput {
  /** The concatenated singular values of every adapted layer (length `r`). */
  readonly sigma: VectorLike | Tensor;
  /** `g = dL/dsigma` (length `r`). */
  readonly grad: VectorLike | Tensor;
  /** `H = d2L/dsigma2` (`r` x `r`, symmetric): rows, `{ data, size }` row-major, or an `[r, r]` tensor. */
  readonly hessian: MatrixLike | Tensor;
  /** How many singular values to keep: an integer in `[0, r]`. Every method keeps exactly this many. */
  readonly budget: number;
  /** One of {@link METHODS}. */
  readonly method: MethodName;
  /** Sizes of the adapted layers in `sigma` order (sum `r`); enables `perLayer`. */
  readonly layers?: readonly number[];
  /** Seed of `sublora-r` (default 0); other methods ignore it. */
  readonly seed?: number;
  /**
   * Runs the O(r^2) work (projection, `G sigma`) on this backend. Required
   * when any input is a tensor. Results are read back and the greedy loop
   * runs on the host in float64.
   */
  readonly backend?: Backend;
}

/**
 * Decides which singular values to keep under a rank budget: the result, or
 * every problem of the input (the primary form; {@link determineRanks}
 * rejects with the first instead).
 *
 * All methods are judged by the same second-order model with the raw Hessian
 * (`objective`), whatever they optimize internally; see `METHOD_DESCRIPTIONS`.
 * Every input is validated up front. The method name is checked before any
 * tensor is read; tensor inputs must live on `backend` with the right rank.
 * A failing backend (not an input problem) rejects.
 *
 * @example
 * const result = await determineRanksE({ sigma: [1, 2.1], grad: [0, 0], hessian: [[1, 0], [0, 1]], budget: 5, method: 'greedy' })();
 * // Left: [method: 'greedy' is not ..., budget: 5 is not an integer in [0, 2]; ...]
 */
export function determineRanksE(input: RankInput): TE.TaskEither<InputProblems, RankResult> {
  const { backend } = input;
  // host arrays only: nothing to read, so every check runs and every problem is reported
  if (backend === undefined) return TE.fromEither(onHostE(input, 'determineRanks'));
  return pipe(
    TE.fromEither(validateMethodE(input.method)),
    TE.chain(() => attemptAsync(() => readToHost(backend, input))),
    // awaits follow: validate into a copy the caller cannot change
    TE.chainEitherK((host) => validateInputE(host, true)),
    TE.chain((v) =>
      attemptAsync(async () => solveValidated(v, await precomputeOn(backend, input, v))),
    ),
  );
}

/** The host path of both forms: convert, validate (every problem), solve. */
function onHostE(input: RankInput, caller: string): E.Either<InputProblems, RankResult> {
  return pipe(
    attempt(() => hostOnly(input, caller)),
    E.chain((host) => validateInputE(host)),
    E.chain((v) => attempt(() => solveValidated(v))),
  );
}

/**
 * Decides which singular values to keep under a rank budget.
 *
 * All methods are judged by the same second-order model with the raw Hessian
 * (`objective`), whatever they optimize internally; see `METHOD_DESCRIPTIONS`.
 * Every input is validated up front; bad input rejects with a one-line
 * `InputError` naming it ({@link determineRanksE} returns every problem).
 *
 * @example
 * const result = await determineRanks({
 *   sigma: [1, 2.1], grad: [-0.2, 0.2], hessian: [[2, -2], [-2, 2]],
 *   budget: 1, method: 'sublora-g',
 * });
 * result.kept; // [1]
 */
export async function determineRanks(input: RankInput): Promise<RankResult> {
  return pipe(await determineRanksE(input)(), E.getOrElseW(throwFirst));
}

/**
 * {@link determineRanksE} for host arrays, synchronously (no backend, no
 * tensors): the result, or every problem of the input.
 */
export function determineRanksSyncE(input: RankInput): E.Either<InputProblems, RankResult> {
  if (input.backend !== undefined) {
    return E.left(
      RNEA.of(
        new InputError(
          'backend',
          'determineRanksSync runs on the host only; call determineRanks to use a backend',
        ),
      ),
    );
  }
  return onHostE(input, 'determineRanksSync');
}

/**
 * {@link determineRanks} for host arrays, synchronously (no backend, no
 * tensors): the lowest-overhead path. Throws the first problem
 * ({@link determineRanksSyncE} returns every one).
 *
 * @example
 * determineRanksSync({ sigma: [1, 2.1], grad: [-0.2, 0.2], hessian: [[2, -2], [-2, 2]], budget: 1, method: 'linear' }).kept; // [0]
 */
export function determineRanksSync(input: RankInput): RankResult {
  return pipe(determineRanksSyncE(input), E.getOrElseW(throwFirst));
}

function isTensor(x: unknown): x is Tensor {
  return (
    typeof x === 'object' &&
    x !== null &&
    'shape' in x &&
    'dtype' in x &&
    'backend' in x &&
    !Array.isArray(x)
  );
}

function hostOnly(input: RankInput, caller: string): HostValues {
  for (const name of ['sigma', 'grad', 'hessian'] as const) {
    if (isTensor(input[name])) {
      throw new InputError(
        name,
        `is a tensor but ${caller} was given no backend; pass { backend } to determineRanks (determineRanksSync takes host arrays only)`,
      );
    }
  }
  return input as HostValues;
}

/** Reads tensor inputs back (the host copy is needed for validation and the greedy loop). */
async function readToHost(backend: Backend, input: RankInput): Promise<HostValues> {
  const read = async (name: string, x: unknown, rank: 1 | 2): Promise<unknown> => {
    if (!isTensor(x)) return x;
    if (x.backend !== backend.name) {
      throw new InputError(
        name,
        `lives on backend '${x.backend}' but backend '${backend.name}' was given; pass the backend that made it`,
      );
    }
    if (x.shape.length !== rank || (rank === 2 && x.shape[0] !== x.shape[1])) {
      throw new InputError(
        name,
        `has shape [${x.shape.join(', ')}] but ${rank === 1 ? 'a vector [r]' : 'a square matrix [r, r]'} is required`,
      );
    }
    const data = await backend.read(x);
    return rank === 1 ? data : { data, size: x.shape[0] };
  };
  return {
    ...input,
    sigma: (await read('sigma', input.sigma, 1)) as VectorLike,
    grad: (await read('grad', input.grad, 1)) as VectorLike,
    hessian: (await read('hessian', input.hessian, 2)) as MatrixLike,
  };
}

/** Projection and matrix-vector products on the backend; the results come back to the host. */
async function precomputeOn(
  backend: Backend,
  input: RankInput,
  v: ValidatedInput,
): Promise<Precomputed> {
  const owned: Tensor[] = [];
  const keep = (x: Tensor): Tensor => {
    owned.push(x);
    return x;
  };
  try {
    const hessianTensor = isTensor(input.hessian) ? input.hessian : undefined;
    const dtype: DType =
      hessianTensor?.dtype ?? (backend.dtypes.includes('float64') ? 'float64' : 'float32');
    const H = hessianTensor ?? keep(backend.fromArray(v.hessian.data, [v.r, v.r], dtype));
    const sigma =
      isTensor(input.sigma) && input.sigma.dtype === dtype
        ? input.sigma
        : keep(backend.fromArray(v.sigma, [v.r], dtype));
    const { projected, report } = await projectHessianOn(backend, H, sigma);
    keep(projected);
    const column = keep(backend.reshape(sigma, [v.r, 1]));
    const projectedHSigma = keep(backend.matmul(projected, column));
    const [g, gs] = await Promise.all([backend.read(projected), backend.read(projectedHSigma)]);
    return {
      // float64 copies, checked finite (float32 rounding can overflow)
      projection: {
        rows: denseSymmetricRows(toFloat64Matrix('hessian', { data: g, size: v.r }, v.r)),
        report,
        projectedHSigma: toFloat64Vector('hSigma', gs, v.r),
        // the raw model is judged in float64 on the host, whatever the backend's dtype
        hSigma: hessianTimesSigma(v.sigma, v.hessian),
      },
      computedOn: backend.name,
    };
  } finally {
    for (const x of owned) backend.dispose(x);
  }
}
