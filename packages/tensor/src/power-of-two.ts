/**
 * Exact rescaling by powers of two, for sums of squares, norms and QRs at
 * any magnitude (GeoLoRA's steps and truncation, the projection report).
 */

/**
 * Two powers of two whose product brings `largest` (finite, > 0) into
 * [1, 2). Multiplying by them is exact (short of underflow), and there are
 * two because `2^e` alone overflows when `largest` is subnormal (`e` up to
 * 1074).
 */
export function normalizingFactors(largest: number): readonly [number, number] {
  const e = -Math.floor(Math.log2(largest));
  const half = Math.trunc(e / 2);
  return [2 ** half, 2 ** (e - half)];
}
