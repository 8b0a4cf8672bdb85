/**
 * The curvature summary recorded beside every training-free determination:
 * gradient norm, the spectrum of H and what the sign projection removes.
 */
import { projectHessian } from '@sublora/hessian-projection';
import { matrix, symmetricEigenvalues } from '@sublora/linalg';
import type { CurvatureSummary } from '../results';

/**
 * Summarises g and H w.r.t. sigma at one point.
 * @param sigma - the singular values (they set the projection's sign pattern)
 * @param grad - `g`, `r` entries
 * @param hessian - `H`, `r x r` row-major
 */
export function summarizeCurvature(
  sigma: Float64Array,
  grad: Float64Array,
  hessian: Float64Array,
): CurvatureSummary {
  const r = grad.length;
  // Symmetrise: the eigen-solver reads one triangle, H is symmetric to round-off.
  const sym = matrix(r, r);
  for (let i = 0; i < r; i++)
    for (let j = 0; j < r; j++) sym.data[i * r + j] = (hessian[i * r + j] + hessian[j * r + i]) / 2;
  const lambda = symmetricEigenvalues(sym);
  let largest = 0;
  let smallest = Number.POSITIVE_INFINITY;
  for (const x of lambda) {
    largest = Math.max(largest, Math.abs(x));
    smallest = Math.min(smallest, Math.abs(x));
  }
  let gradSquared = 0;
  for (const x of grad) gradSquared += x * x;
  const { report } = projectHessian({ data: sym.data, size: r }, sigma);
  return {
    gradNorm: Math.sqrt(gradSquared),
    eigenMin: lambda[0],
    eigenMax: lambda[r - 1],
    conditionNumber: smallest > 0 ? largest / smallest : Number.POSITIVE_INFINITY,
    negativeEigenvalues: lambda.filter((x) => x < -1e-12 * largest).length,
    projectionZeroedShare: r > 1 ? report.removedEntries / (r * (r - 1)) : 0,
    projectionFrobeniusShare: report.relativeFrobeniusDistance,
  };
}
