/** The transpose of gather: accumulate slices into positions along one axis. */
import type { HostArray } from '../../backend';

/**
 * `updates` viewed as `[outer, indices.length, inner]`, `out` (zeroed) as
 * `[outer, axisSize, inner]`; adds `updates[o, k, :]` into
 * `out[o, indices[k], :]`. Repeated indices accumulate.
 */
export function scatterAddImpl(
  updates: HostArray,
  outer: number,
  axisSize: number,
  inner: number,
  indices: readonly number[],
  out: HostArray,
): void {
  const k = indices.length;
  for (let o = 0; o < outer; o++) {
    const uBase = o * k * inner;
    const outBase = o * axisSize * inner;
    for (let j = 0; j < k; j++) {
      const dst = outBase + indices[j] * inner;
      const src = uBase + j * inner;
      for (let c = 0; c < inner; c++) out[dst + c] += updates[src + c];
    }
  }
}
