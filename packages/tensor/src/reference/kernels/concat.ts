/** Concatenation along one axis. */
import type { HostArray } from '../../backend';

/**
 * Concatenates inputs that agree on every axis but `axis`. Each input is
 * viewed as `[outer, chunk]`, `chunk` = its length along `axis` times the
 * product of the later axes, and the output interleaves the chunks.
 * @param chunks - `chunks[i]`: elements of input i per outer index
 */
export function concatImpl(
  xs: readonly HostArray[],
  chunks: readonly number[],
  outer: number,
  out: HostArray,
): void {
  let o = 0;
  for (let r = 0; r < outer; r++) {
    for (let i = 0; i < xs.length; i++) {
      const n = chunks[i];
      out.set(xs[i].subarray(r * n, r * n + n), o);
      o += n;
    }
  }
}
