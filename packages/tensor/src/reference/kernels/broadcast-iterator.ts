/**
 * Iteration over broadcast operands in contiguous runs.
 *
 * Every elementwise kernel reduces to "for each run of the output, combine
 * runs of the inputs, each with inner stride 0 (repeated) or 1". Adjacent axes
 * that every operand traverses the same way are merged first, so the hot cases
 * of autodiff cost one run or one run per row:
 *
 * - same shape, or an operand that is a scalar: a single run over everything;
 * - row broadcast (`[m,n] + [n]`): m runs of length n, the row with stride 1;
 * - column broadcast (`[m,n] + [m,1]`): m runs of length n, the column entry
 *   with stride 0.
 */
import type { HostArray, Shape } from '../../backend';
import { broadcastStrides, sizeOf } from '../../shape';

/** Output axes after merging, and each input's strides along them. */
export interface RunPlan {
  /** Merged output shape (at least one axis). */
  readonly shape: number[];
  /** `strides[k][axis]`: element stride of input k along a merged axis (0 = repeated). */
  readonly strides: number[][];
}

/**
 * Plans the iteration of `inShapes` broadcast to `outShape` (which must be
 * their broadcast). Size-1 output axes are dropped and mergeable neighbours
 * fused.
 */
export function planRuns(outShape: Shape, inShapes: readonly Shape[]): RunPlan {
  const full = inShapes.map((s) => broadcastStrides(s, outShape));
  const shape: number[] = [];
  const strides: number[][] = inShapes.map(() => []);
  for (let axis = 0; axis < outShape.length; axis++) {
    const d = outShape[axis];
    if (d === 1) continue;
    const last = shape.length - 1;
    // Merge into the previous axis when every input steps through both axes as one.
    const mergeable = last >= 0 && full.every((s, k) => strides[k][last] === s[axis] * d);
    if (mergeable) {
      shape[last] *= d;
      for (let k = 0; k < full.length; k++) strides[k][last] = full[k][axis];
    } else {
      shape.push(d);
      for (let k = 0; k < full.length; k++) strides[k].push(full[k][axis]);
    }
  }
  if (shape.length === 0) {
    shape.push(1);
    for (const s of strides) s.push(0);
  }
  return { shape, strides };
}

/**
 * Calls `run(offsets, outOffset, length)` for each contiguous run of the
 * output (row-major order). `offsets[k]` is input k's start; its inner stride
 * is `plan.strides[k][last]`. `offsets` is reused between calls.
 */
export function forEachRun(
  plan: RunPlan,
  run: (offsets: readonly number[], outOffset: number, length: number) => void,
): void {
  const { shape, strides } = plan;
  const rank = shape.length;
  const inner = shape[rank - 1];
  const total = sizeOf(shape);
  if (total === 0) return;
  const nIn = strides.length;
  const offsets = new Array<number>(nIn).fill(0);
  const counter = new Array<number>(rank - 1).fill(0);
  for (let outOffset = 0; outOffset < total; outOffset += inner) {
    run(offsets, outOffset, inner);
    // Odometer over the outer axes, updating each input offset incrementally.
    for (let axis = rank - 2; axis >= 0; axis--) {
      if (++counter[axis] < shape[axis]) {
        for (let k = 0; k < nIn; k++) offsets[k] += strides[k][axis];
        break;
      }
      counter[axis] = 0;
      for (let k = 0; k < nIn; k++) offsets[k] -= strides[k][axis] * (shape[axis] - 1);
    }
  }
}

/**
 * The inner loop of a two-operand elementwise kernel over one run:
 * `out[o + i] = op(a[ia + i*sa], b[ib + i*sb])` for `i < n`, with inner
 * strides `sa`, `sb` in {0, 1}. One function per op family keeps each loop
 * monomorphic.
 */
export type BinaryRun<Op> = (
  op: Op,
  a: HostArray,
  ia: number,
  sa: number,
  b: HostArray,
  ib: number,
  sb: number,
  out: HostArray,
  o: number,
  n: number,
) => void;

/**
 * Broadcasts `a` and `b` to `outShape` (their numpy broadcast, already
 * validated) and calls `run` once per contiguous run of the output.
 */
export function broadcastBinary<Op>(
  run: BinaryRun<Op>,
  op: Op,
  a: HostArray,
  aShape: Shape,
  b: HostArray,
  bShape: Shape,
  out: HostArray,
  outShape: Shape,
): void {
  const plan = planRuns(outShape, [aShape, bShape]);
  const last = plan.shape.length - 1;
  const sa = plan.strides[0][last],
    sb = plan.strides[1][last];
  forEachRun(plan, (offsets, o, n) => run(op, a, offsets[0], sa, b, offsets[1], sb, out, o, n));
}
