/** Dtype conversion. */
import type { HostArray } from '../../backend';

/** Copies `x` into `out`, rounding to nearest when `out` is float32 (typed-array conversion). */
export function castImpl(x: HostArray, out: HostArray): void {
  out.set(x);
}
