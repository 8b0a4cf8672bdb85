/** Selection of slices along one axis. */
import type { HostArray } from '../../backend';

/**
 * `x` viewed as `[outer, axisSize, inner]`; writes `out[o, k, :] = x[o, indices[k], :]`
 * (indices already validated as integers in range).
 */
export function gatherImpl(
  x: HostArray,
  outer: number,
  axisSize: number,
  inner: number,
  indices: readonly number[],
  out: HostArray,
): void {
  const k = indices.length;
  for (let o = 0; o < outer; o++) {
    const xBase = o * axisSize * inner;
    const outBase = o * k * inner;
    for (let j = 0; j < k; j++) {
      const src = xBase + indices[j] * inner;
      out.set(x.subarray(src, src + inner), outBase + j * inner);
    }
  }
}
