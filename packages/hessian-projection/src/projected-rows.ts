/**
 * The projected Hessian `G` as a row-at-a-time view of `H`: a row of `G` is
 * made from a row of `H` (and its column, unless `H` is exactly symmetric)
 * by the rule of `rule.ts`, in O(r), so the greedy oracle can use `G`
 * without the `r` x `r` array ever being written.
 */
import type { SymmetricRows } from '@sublora/set-function';
import { feasibility, keptEntry } from './rule';

/**
 * `G` over `H` (row-major, `size` x `size`) and `sign(sigma)`. Entry `(i, j)`
 * is the one the materializing pass writes: the rule applied to
 * `(H_ij + H_ji) / 2`. Set `exactlySymmetric` only when `H_ij === H_ji` for
 * every pair and no `|H_ij|` is near overflow: `(H_ij + H_ji) / 2` is then
 * `H_ij` exactly, and column `i` is not read (strided reads of a column cost
 * a cache miss each). Only the sign of a zero may differ from the
 * materialized `G` (a pair of `+0` and `-0`, or a dropped `-0` entry), which
 * no sum or comparison tells apart.
 */
export class ProjectedRows implements SymmetricRows {
  constructor(
    private readonly h: Float64Array,
    readonly size: number,
    private readonly signs: Float64Array,
    private readonly exactlySymmetric: boolean,
  ) {}

  diagonal(out: Float64Array): void {
    const { h, size } = this;
    for (let i = 0; i < size; i++) out[i] = h[i * size + i];
  }

  row(i: number, out: Float64Array): void {
    const { h, size, signs, exactlySymmetric } = this;
    const base = i * size;
    for (let j = 0; j < size; j++) {
      const hij = h[base + j];
      if (j === i) {
        out[j] = hij;
        continue;
      }
      const value = exactlySymmetric ? hij : 0.5 * (hij + h[j * size + i]);
      out[j] = keptEntry(value, feasibility(value, signs[i], signs[j]));
    }
  }

  addScaledRow(i: number, scale: number, target: Float64Array): void {
    const { h, size } = this;
    const base = i * size;
    // the diagonal is unconstrained; either side of it, the rule
    this.addScaledOffDiagonal(i, 0, i, scale, target);
    target[i] += h[base + i] * scale;
    this.addScaledOffDiagonal(i, i + 1, size, scale, target);
  }

  /** `target[j] += scale * G_ij` for `j` in `[from, to)`, all off the diagonal. */
  private addScaledOffDiagonal(
    i: number,
    from: number,
    to: number,
    scale: number,
    target: Float64Array,
  ): void {
    const { h, size, signs } = this;
    const base = i * size;
    const signI = signs[i];
    if (this.exactlySymmetric) {
      for (let j = from; j < to; j++) {
        const value = h[base + j];
        target[j] += keptEntry(value, feasibility(value, signI, signs[j])) * scale;
      }
    } else {
      for (let j = from; j < to; j++) {
        const value = 0.5 * (h[base + j] + h[j * size + i]);
        target[j] += keptEntry(value, feasibility(value, signI, signs[j])) * scale;
      }
    }
  }
}
