/** Axis permutation. */
import type { HostArray, Shape } from '../../backend';
import { stridesOf } from '../../shape';

/** Tile edge of the blocked 2-D transpose: 32x32 float64 tiles are 8 KiB, well inside L1. */
const TILE = 32;

/**
 * Simplifies a permutation: size-1 axes are dropped and input axes that stay
 * adjacent and in order in the output are merged, so e.g. `[2,3,4,5]` with
 * perm `[2,3,0,1]` becomes a 2-D transpose of `[6,20]`.
 */
export function collapsePermutation(
  shape: Shape,
  perm: readonly number[],
): { shape: number[]; perm: number[] } {
  const newIndex = new Array<number>(shape.length).fill(-1);
  const kept: number[] = [];
  for (let a = 0; a < shape.length; a++) {
    if (shape[a] !== 1) {
      newIndex[a] = kept.length;
      kept.push(shape[a]);
    }
  }
  const p = perm.filter((a) => shape[a] !== 1).map((a) => newIndex[a]);
  // Runs of consecutive input axes, in output order.
  const groups: { start: number; size: number }[] = [];
  for (let i = 0; i < p.length; i++) {
    const g = groups[groups.length - 1];
    if (g && p[i] === p[i - 1] + 1) g.size *= kept[p[i]];
    else groups.push({ start: p[i], size: kept[p[i]] });
  }
  const byInput = groups.map((g, i) => ({ ...g, i })).sort((x, y) => x.start - y.start);
  const rankOf = new Array<number>(groups.length);
  byInput.forEach((g, r) => (rankOf[g.i] = r));
  return { shape: byInput.map((g) => g.size), perm: groups.map((_, i) => rankOf[i]) };
}

/** `out[c, r] = x[r, c]` for an `rows` x `cols` block at the given offsets, in cache tiles. */
export function transpose2d(
  x: HostArray,
  xOff: number,
  rows: number,
  cols: number,
  out: HostArray,
  outOff: number,
): void {
  for (let r0 = 0; r0 < rows; r0 += TILE) {
    const r1 = Math.min(r0 + TILE, rows);
    for (let c0 = 0; c0 < cols; c0 += TILE) {
      const c1 = Math.min(c0 + TILE, cols);
      for (let r = r0; r < r1; r++) {
        const xr = xOff + r * cols;
        for (let c = c0; c < c1; c++) out[outOff + c * rows + r] = x[xr + c];
      }
    }
  }
}

/**
 * Writes `x` (shape `shape`) with its axes permuted by `perm` into `out`:
 * output axis i is input axis `perm[i]`.
 */
export function transposeImpl(
  x: HostArray,
  shape: Shape,
  perm: readonly number[],
  out: HostArray,
): void {
  if (x.length === 0) return;
  const c = collapsePermutation(shape, perm);
  const rank = c.shape.length;
  if (rank <= 1) {
    out.set(x);
  } else if (rank === 2) {
    transpose2d(x, 0, c.shape[0], c.shape[1], out, 0);
  } else if (rank === 3 && c.perm[0] === 0 && c.perm[1] === 2) {
    const [batch, rows, cols] = c.shape;
    for (let b = 0; b < batch; b++)
      transpose2d(x, b * rows * cols, rows, cols, out, b * rows * cols);
  } else {
    transposeGeneral(x, c.shape, c.perm, out);
  }
}

/** Any permutation: walk the output in order, stepping the input by its strides. */
function transposeGeneral(x: HostArray, shape: number[], perm: number[], out: HostArray): void {
  const rank = shape.length;
  const inStrides = stridesOf(shape);
  const outShape = perm.map((a) => shape[a]);
  const steps = perm.map((a) => inStrides[a]);
  const inner = outShape[rank - 1];
  const innerStep = steps[rank - 1];
  const counter = new Array<number>(rank).fill(0);
  let ix = 0;
  for (let o = 0; o < out.length; o += inner) {
    for (let k = 0, j = ix; k < inner; k++, j += innerStep) out[o + k] = x[j];
    for (let axis = rank - 2; axis >= 0; axis--) {
      if (++counter[axis] < outShape[axis]) {
        ix += steps[axis];
        break;
      }
      counter[axis] = 0;
      ix -= steps[axis] * (outShape[axis] - 1);
    }
  }
}
