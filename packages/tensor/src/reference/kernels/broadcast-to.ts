/** Materializes a numpy broadcast. */
import type { HostArray, Shape } from '../../backend';
import { forEachRun, planRuns } from './broadcast-iterator';

/** Copies `x` broadcast to `outShape` into `out` (`outShape` already validated). */
export function broadcastToImpl(
  x: HostArray,
  xShape: Shape,
  out: HostArray,
  outShape: Shape,
): void {
  const plan = planRuns(outShape, [xShape]);
  const sx = plan.strides[0][plan.shape.length - 1];
  forEachRun(plan, (offsets, o, n) => {
    const ix = offsets[0];
    if (sx === 1) out.set(x.subarray(ix, ix + n), o);
    else out.fill(x[ix], o, o + n);
  });
}
