/** Rectangular slices. */
import type { HostArray, Shape } from '../../backend';
import { stridesOf } from '../../shape';

/**
 * Copies the box `begin[i] <= index[i] < begin[i] + size[i]` of `x` (shape
 * `shape`) into `out` (all bounds already validated and resolved). Rows of the
 * innermost axes that are taken whole are copied as one block.
 */
export function sliceImpl(
  x: HostArray,
  shape: Shape,
  begin: readonly number[],
  size: readonly number[],
  out: HostArray,
): void {
  if (out.length === 0) return;
  const rank = shape.length;
  if (rank === 0) {
    out[0] = x[0];
    return;
  }
  // The contiguous run: the last sliced axis plus every whole axis after it.
  let split = rank - 1;
  while (split > 0 && begin[split] === 0 && size[split] === shape[split]) split--;
  const strides = stridesOf(shape);
  let run = size[split];
  for (let a = split + 1; a < rank; a++) run *= shape[a];
  let ix = 0;
  for (let a = 0; a < rank; a++) ix += begin[a] * strides[a];
  const counter = new Array<number>(split).fill(0);
  for (let o = 0; o < out.length; o += run) {
    out.set(x.subarray(ix, ix + run), o);
    for (let axis = split - 1; axis >= 0; axis--) {
      if (++counter[axis] < size[axis]) {
        ix += strides[axis];
        break;
      }
      counter[axis] = 0;
      ix -= strides[axis] * (size[axis] - 1);
    }
  }
}
