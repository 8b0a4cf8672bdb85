/**
 * PDE operators written once, over an abstract algebra, so the same formula
 * serves the float64 finite-difference tests (T = number) and the network
 * residual built from autodiff graph nodes (T = a graph node).
 */

/** The arithmetic an operator needs (fp-ts style: a record of functions). */
export interface Algebra<T> {
  add(a: T, b: T): T;
  sub(a: T, b: T): T;
  mul(a: T, b: T): T;
  /** `a * k` for a host constant k. */
  scale(a: T, k: number): T;
  /** `a + k` for a host constant k. */
  shift(a: T, k: number): T;
}

/** Plain float64 numbers. */
export const numberAlgebra: Algebra<number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  scale: (a, k) => a * k,
  shift: (a, k) => a + k,
};

/** Names of the derivative fields an operator may read. */
export type FieldName = 'u' | 'ux' | 'uy' | 'lap' | 'ut' | 'utt';

/**
 * Coordinates and the solution's derivatives at a set of points:
 * `lap` is the spatial Laplacian u_xx + u_yy; `ut`, `utt` are time derivatives.
 * An operator reads only the fields its PDE lists in `requires`.
 */
export interface Fields<T> {
  readonly x: T;
  readonly y: T;
  readonly t?: T;
  readonly u: T;
  readonly ux?: T;
  readonly uy?: T;
  readonly lap?: T;
  readonly ut?: T;
  readonly utt?: T;
}

/** Reads a field an operator declared it needs; a missing one is a wiring bug. */
export function field<T>(f: Fields<T>, name: FieldName): T {
  const v = f[name];
  if (v === undefined)
    throw new Error(`PDE operator needs field '${name}' but it was not computed`);
  return v;
}
