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
  const split = (e: number): [number, number] => {
    const half = Math.trunc(e / 2);
    return [2 ** half, 2 ** (e - half)];
  };
  const factors = split(-Math.floor(Math.log2(largest)));
  // log2 rounds up just below a power of two (2^1024 - 2^970 gives 1024),
  // which leaves the product a hair under 1: one power of two more
  return largest * factors[0] * factors[1] < 1
    ? split(1 - Math.floor(Math.log2(largest)))
    : factors;
}
