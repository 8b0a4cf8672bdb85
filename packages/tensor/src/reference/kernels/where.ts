/** Elementwise selection `cond ? a : b` with three-way numpy broadcasting. */
import type { HostArray, Shape } from '../../backend';
import { forEachRun, planRuns } from './broadcast-iterator';

/**
 * `out[i] = cond[i] !== 0 ? a[i] : b[i]` with all three broadcast to
 * `outShape`. A NaN condition counts as true (nonzero).
 */
export function whereImpl(
  cond: HostArray,
  condShape: Shape,
  a: HostArray,
  aShape: Shape,
  b: HostArray,
  bShape: Shape,
  out: HostArray,
  outShape: Shape,
): void {
  const plan = planRuns(outShape, [condShape, aShape, bShape]);
  const last = plan.shape.length - 1;
  const sc = plan.strides[0][last],
    sa = plan.strides[1][last],
    sb = plan.strides[2][last];
  forEachRun(plan, (offsets, o, n) => {
    let ic = offsets[0],
      ia = offsets[1],
      ib = offsets[2];
    for (const end = o + n; o < end; o++, ic += sc, ia += sa, ib += sb) {
      out[o] = cond[ic] !== 0 ? a[ia] : b[ib];
    }
  });
}
