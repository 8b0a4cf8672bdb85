import { summarizeCurvature } from './curvature';

describe('summarizeCurvature', () => {
  it('reads the spectrum, the gradient norm and what the sign projection removes', () => {
    // H = [[2, -1, 0], [-1, -3, 4], [0, 4, 1]] with sigma > 0: the projection
    // keeps H_ij >= 0 off the diagonal, so it zeroes the -1 pair only.
    const hessian = Float64Array.from([2, -1, 0, -1, -3, 4, 0, 4, 1]);
    const c = summarizeCurvature(
      Float64Array.from([1, 2, 3]),
      Float64Array.from([3, 4, 0]),
      hessian,
    );
    expect(c.gradNorm).toBeCloseTo(5, 14);
    // numpy.linalg.eigvalsh(H) = [-5.56813606, 1.91983681, 3.64829925]
    expect(c.eigenMin).toBeCloseTo(-5.56813606, 7);
    expect(c.eigenMax).toBeCloseTo(3.64829925, 7);
    expect(c.conditionNumber).toBeCloseTo(5.56813606 / 1.91983681, 6);
    expect(c.negativeEigenvalues).toBe(1);
    expect(c.projectionZeroedShare).toBeCloseTo(2 / 6, 14);
    const frobenius = Math.sqrt(4 + 1 + 1 + 9 + 16 + 16 + 1);
    expect(c.projectionFrobeniusShare).toBeCloseTo(Math.sqrt(2) / frobenius, 14);
  });

  it('matches a diagonal Hessian exactly, and reports a singular one as infinitely conditioned', () => {
    const diag = summarizeCurvature(
      Float64Array.from([1, 1]),
      Float64Array.from([0, 0]),
      Float64Array.from([-4, 0, 0, 0.5]),
    );
    expect([diag.eigenMin, diag.eigenMax]).toEqual([-4, 0.5]);
    expect(diag.conditionNumber).toBe(8);
    expect(diag.projectionZeroedShare).toBe(0);
    const singular = summarizeCurvature(
      Float64Array.from([1, 1]),
      Float64Array.from([1, 0]),
      Float64Array.from([1, 0, 0, 0]),
    );
    expect(singular.conditionNumber).toBe(Number.POSITIVE_INFINITY);
    expect(singular.negativeEigenvalues).toBe(0);
  });
});
