/**
 * The spatial profile shared by all three PDEs of the paper, as a function of
 * the radius rho = |x| on the unit disk:
 *
 *     s(rho) = sin(a q^2.5) + lambda2 sin(c q),   q = 1 - rho,
 *     a = pi lambda1 / 2,   c = pi / 2.
 *
 * Derivatives by hand (dq/drho = -1):
 *
 *     s'  = -2.5 a q^1.5 cos(a q^2.5) - lambda2 c cos(c q)
 *     s'' = 3.75 a q^0.5 cos(a q^2.5) - 6.25 a^2 q^3 sin(a q^2.5) - lambda2 c^2 sin(c q)
 *
 * For a radial function in 2-D, grad u = s'(rho) x / rho, |grad u| = |s'| and
 * Laplace u = s'' + s' / rho. At the origin s'(0) = -2.5 a cos(a) (the second
 * term vanishes because cos(pi/2) = 0). When lambda1 is an odd integer,
 * s'(0) = 0 and the Laplacian has the finite limit 2 s''(0). Otherwise the
 * profile has a cone tip at the origin and the Laplacian grows like s'(0)/rho:
 * the paper's lambda = (2, 1) source is singular there. Samplers never draw
 * rho = 0 exactly; `laplacian(0)` returns the limit (finite or +-Infinity).
 */

/** Physical parameters lambda = (lambda1, lambda2): frequency and variation level. */
export type Lambda = readonly [number, number];

/** The profile s and the radial derivatives the PDE sources need. */
export interface RadialProfile {
  /** s(rho). */
  value(rho: number): number;
  /** s'(rho). */
  d1(rho: number): number;
  /** s''(rho). */
  d2(rho: number): number;
  /** The 2-D Laplacian of x -> s(|x|) at radius rho: s'' + s'/rho. */
  laplacian(rho: number): number;
}

const C = Math.PI / 2;

/**
 * q = 1 - rho, with rho up to 1e-12 above 1 read as the circle: points
 * computed as (cos t, sin t) can have |x| = 1 + 1 ulp, and q^2.5 of a tiny
 * negative q would be NaN.
 */
function gap(rho: number): number {
  return rho > 1 && rho <= 1 + 1e-12 ? 0 : 1 - rho;
}

/**
 * The profile for one lambda. Valid for 0 <= rho <= 1 (q^1.5 and q^0.5 are not
 * real outside the disk; |x| within 1e-12 above 1 counts as the circle).
 */
export function spatialProfile(lambda: Lambda): RadialProfile {
  const [lambda1, lambda2] = lambda;
  const a = (Math.PI * lambda1) / 2;
  const value = (rho: number): number => {
    const q = gap(rho);
    return Math.sin(a * q ** 2.5) + lambda2 * Math.sin(C * q);
  };
  const d1 = (rho: number): number => {
    const q = gap(rho);
    return -2.5 * a * q ** 1.5 * Math.cos(a * q ** 2.5) - lambda2 * C * Math.cos(C * q);
  };
  const d2 = (rho: number): number => {
    const q = gap(rho);
    const phase = a * q ** 2.5;
    return (
      3.75 * a * Math.sqrt(q) * Math.cos(phase) -
      6.25 * a * a * q ** 3 * Math.sin(phase) -
      lambda2 * C * C * Math.sin(C * q)
    );
  };
  const slopeAtOrigin = -2.5 * a * Math.cos(a);
  const laplacian = (rho: number): number => {
    if (rho > 0) return d2(rho) + d1(rho) / rho;
    // cos(a) for odd-integer lambda1 is ~1e-16, not 0: treat |s'(0)| below
    // rounding level as zero so the finite limit 2 s''(0) is used.
    if (Math.abs(slopeAtOrigin) <= 1e-12 * Math.max(1, Math.abs(a))) return 2 * d2(0);
    return slopeAtOrigin > 0 ? Infinity : -Infinity;
  };
  return { value, d1, d2, laplacian };
}
