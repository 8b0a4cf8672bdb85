/**
 * The projection of `project.ts`, composed from Backend kernels so the
 * `r` x `r` work stays on the device that holds the Hessian (GPU, onnxruntime).
 */
import { InputError, normalizingFactors } from '@sublora/tensor';
import type { Backend, Tensor } from '@sublora/tensor';
import type { ProjectHessianOptions, ProjectionReport } from './project';

/** Result of {@link projectHessianOn}. */
export interface TensorHessianProjection {
  /** The projected matrix `G`, `[r, r]`, owned by the backend (dispose it when done). */
  readonly projected: Tensor;
  /** What the projection removed (same fields as the host version). */
  readonly report: ProjectionReport;
}

/**
 * {@link projectHessian} on a backend: same rule, same report, built from
 * `binary`/`unary`/`compare`/`where`/`reduce`. The decision uses signs only
 * (`sign(H_ij) sign(sigma_i) sign(sigma_j) >= 0`), so it is exact in float32
 * too. All scalars of the report and the symmetry check come back in one
 * `read`, the only asynchronous step.
 *
 * Rejects (with an `InputError`) when shapes or dtypes do not match or when
 * `hessian` is not symmetric within `symmetryTolerance * max |H_ij|`.
 * Counts are exact for `r <= 4096` in float32 (sums of 0/1 below 2^24).
 *
 * @param hessian - `[r, r]` tensor
 * @param sigma - `[r]` tensor of the same dtype
 *
 * @example
 * const H = referenceBackend.fromArray([2, -2, -2, 2], [2, 2], 'float64');
 * const s = referenceBackend.fromArray([1, 2.1], [2], 'float64');
 * const { projected, report } = await projectHessianOn(referenceBackend, H, s);
 */
export async function projectHessianOn(
  backend: Backend,
  hessian: Tensor,
  sigma: Tensor,
  options: ProjectHessianOptions = {},
): Promise<TensorHessianProjection> {
  const r = validateInputs(backend, hessian, sigma);
  const dtype = hessian.dtype;
  if (r === 0) {
    return {
      projected: backend.zeros([0, 0], dtype),
      report: {
        removedEntries: 0,
        removedPairs: 0,
        frobeniusDistance: 0,
        relativeFrobeniusDistance: 0,
      },
    };
  }
  const temps: Tensor[] = [];
  const t = (x: Tensor): Tensor => {
    temps.push(x);
    return x;
  };
  const scalar = (value: number): Tensor => t(backend.fill([], value, dtype));
  const sum = (x: Tensor): Tensor => t(backend.reshape(t(backend.reduce('sum', x)), [1]));

  const transposed = t(backend.transpose(hessian));
  // halves first: (H + H^T) / 2 would overflow for entries beyond ~9e307 (the
  // same value otherwise: halving is exact and the sum rounds once either way)
  const half = scalar(0.5);
  const symmetric = t(
    backend.binary(
      'add',
      t(backend.binary('mul', hessian, half)),
      t(backend.binary('mul', transposed, half)),
    ),
  );
  const sigmaSign = t(backend.unary('sign', sigma));
  const outerSign = t(
    backend.binary(
      'mul',
      t(backend.reshape(sigmaSign, [r, 1])),
      t(backend.reshape(sigmaSign, [1, r])),
    ),
  );
  const productSign = t(backend.binary('mul', t(backend.unary('sign', symmetric)), outerSign));
  const feasible = t(backend.compare('greaterEqual', productSign, scalar(0)));
  const eye = new Float64Array(r * r);
  for (let i = 0; i < r; i++) eye[i * r + i] = 1;
  const keep = t(backend.binary('maximum', feasible, t(backend.fromArray(eye, [r, r], dtype))));
  const projected = backend.where(keep, symmetric, scalar(0));

  const removed = t(backend.binary('sub', hessian, projected));
  const stats = t(
    backend.concat(
      [
        sum(keep),
        sum(t(backend.unary('square', removed))),
        sum(t(backend.unary('square', hessian))),
        t(
          backend.reshape(
            t(
              backend.reduce(
                'max',
                t(backend.unary('abs', t(backend.binary('sub', hessian, transposed)))),
              ),
            ),
            [1],
          ),
        ),
        t(backend.reshape(t(backend.reduce('max', t(backend.unary('abs', hessian)))), [1])),
      ],
      0,
    ),
  );
  let values: number[];
  // the powers of two the squares were summed at, undone after the square roots
  let factors: readonly [number, number] = [1, 1];
  try {
    values = Array.from(await backend.read(stats));
    const [, distance2, norm2, , largest] = values;
    if (!(Number.isFinite(distance2) && Number.isFinite(norm2)) && Number.isFinite(largest)) {
      // the squares overflowed (entries beyond about 1e154 in float64, 1e19 in
      // float32): both sums again over the matrices brought to [1, 2), exactly
      factors = normalizingFactors(largest);
      const down = (x: Tensor) =>
        t(
          backend.binary(
            'mul',
            t(backend.binary('mul', x, scalar(factors[0]))),
            scalar(factors[1]),
          ),
        );
      const rescaled = await backend.read(
        t(
          backend.concat(
            [
              sum(t(backend.unary('square', down(removed)))),
              sum(t(backend.unary('square', down(hessian)))),
            ],
            0,
          ),
        ),
      );
      values[1] = rescaled[0];
      values[2] = rescaled[1];
    }
  } finally {
    for (const x of temps) backend.dispose(x);
  }
  const [kept, distanceSquares, normSquares, asymmetry, scale] = values;
  const tolerance = options.symmetryTolerance ?? 1e-8;
  // relative at every magnitude, as assertSymmetric: small entries are not let off
  if (asymmetry > tolerance * scale) {
    backend.dispose(projected);
    throw new InputError(
      'hessian',
      `is not symmetric: max |H_ij - H_ji| = ${asymmetry}; pass (H + H^T) / 2 if the asymmetry is round-off`,
    );
  }
  const removedEntries = r * r - Math.round(kept);
  const frobeniusDistance = Math.sqrt(distanceSquares) / factors[0] / factors[1];
  return {
    projected,
    report: {
      removedEntries,
      removedPairs: removedEntries / 2,
      frobeniusDistance,
      relativeFrobeniusDistance:
        normSquares === 0 ? 0 : Math.sqrt(distanceSquares) / Math.sqrt(normSquares),
    },
  };
}

function validateInputs(backend: Backend, hessian: Tensor, sigma: Tensor): number {
  if (hessian.backend !== backend.name) {
    throw new InputError(
      'hessian',
      `lives on backend '${hessian.backend}' but projectHessianOn was given '${backend.name}'; pass the backend that made it`,
    );
  }
  if (sigma.shape.length !== 1) {
    throw new InputError('sigma', `has shape [${sigma.shape.join(', ')}] but must be a vector [r]`);
  }
  const r = sigma.shape[0];
  if (hessian.shape.length !== 2 || hessian.shape[0] !== r || hessian.shape[1] !== r) {
    throw new InputError(
      'hessian',
      `has shape [${hessian.shape.join(', ')}] but [${r}, ${r}] is required to match sigma`,
    );
  }
  if (hessian.dtype !== sigma.dtype) {
    throw new InputError(
      'sigma',
      `has dtype ${sigma.dtype} but hessian is ${hessian.dtype}; cast one of them`,
    );
  }
  if (sigma.backend !== backend.name) {
    throw new InputError(
      'sigma',
      `lives on backend '${sigma.backend}' but hessian on '${backend.name}'; use one backend`,
    );
  }
  return r;
}
