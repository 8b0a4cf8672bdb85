import type { Matrix } from './matrix';

/** Throws a one-line RangeError naming `what` and the first non-finite entry of `a`. */
export function assertFinite(a: Matrix, what: string): void {
  for (let k = 0; k < a.data.length; k++) {
    const x = a.data[k];
    if (!Number.isFinite(x))
      throw new RangeError(
        `${what}: entry (${Math.floor(k / a.cols)}, ${k % a.cols}) is ${x}; the decomposition needs finite entries`,
      );
  }
}
