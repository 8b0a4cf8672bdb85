/**
 * How close a backend's result must be to the float64 reference.
 *
 * Every case feeds both backends the same inputs, already rounded to the dtype
 * under test, so the comparison measures the kernels only. With inputs of
 * order 1 an element passes when
 *
 *     |got - want| <= tol * (|want| + 1)
 *
 * where `tol` depends on the dtype and on what the case computes:
 *
 * | kind          | float64          | float32          | what                                          |
 * |---------------|------------------|------------------|-----------------------------------------------|
 * | `exact`       | 0                | 0                | creation, structure, compare, where, cast, max |
 * | `elementwise` | 1e-12            | 1e-5             | unary and binary arithmetic                   |
 * | `accumulate`  | 1e-12 * sqrt(k)  | 1e-5 * sqrt(k)   | sum, mean, matmul, scatterAdd over k terms    |
 * | `graph`       | 1e-10 * sqrt(k)  | 1e-4 * sqrt(k)   | whole graphs (loss, gradient, Hessian)        |
 *
 * float32's 1e-5 is about 80 ulp: room for transcendental approximations
 * (wasm, onnxruntime) while still catching a wrong kernel. Rounding errors of
 * a k-term sum grow like sqrt(k) for inputs of random sign, hence the scaling.
 * Whole graphs chain dozens of kernels and cancel terms (a Hessian of a loss),
 * hence their looser base.
 */
import type { DType, HostArray } from '@sublora/tensor';

/** How a case's result may differ from the reference. */
export type ToleranceKind = 'exact' | 'elementwise' | 'accumulate' | 'graph';

/** Base relative tolerance per dtype and kind (before the sqrt(k) factor). */
export const BASE_TOLERANCE: Readonly<Record<DType, Readonly<Record<ToleranceKind, number>>>> = {
  float64: { exact: 0, elementwise: 1e-12, accumulate: 1e-12, graph: 1e-10 },
  float32: { exact: 0, elementwise: 1e-5, accumulate: 1e-5, graph: 1e-4 },
};

/**
 * The tolerance of one case.
 * @param scale - multiplies the non-exact bases (the `tolerance` option of `runConformance`)
 * @param terms - k, the number of terms accumulated into each output (1 for elementwise)
 */
export function toleranceFor(dtype: DType, kind: ToleranceKind, terms = 1, scale = 1): number {
  const base = BASE_TOLERANCE[dtype][kind] * scale;
  return kind === 'accumulate' || kind === 'graph' ? base * Math.sqrt(Math.max(1, terms)) : base;
}

/** The worst element of a comparison. */
export interface Discrepancy {
  /** max |got - want| / (|want| + 1) over all elements (0 when equal, Infinity on a NaN mismatch). */
  readonly error: number;
  /** Index of the worst element (-1 when all match). */
  readonly index: number;
}

/** Compares `got` to `want` element by element; NaN matches NaN, infinities must match exactly. */
export function compareArrays(got: ArrayLike<number>, want: HostArray): Discrepancy {
  let error = 0;
  let index = -1;
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    let e: number;
    if (Number.isNaN(w) || Number.isNaN(g)) e = Number.isNaN(w) && Number.isNaN(g) ? 0 : Infinity;
    else if (!Number.isFinite(w) || !Number.isFinite(g)) e = g === w ? 0 : Infinity;
    else e = Math.abs(g - w) / (Math.abs(w) + 1);
    if (e > error) {
      error = e;
      index = i;
    }
  }
  return { error, index };
}
