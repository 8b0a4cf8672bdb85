/**
 * Seeded random draws for the selection algorithms (randomized and stochastic
 * greedy, sampled checks): uniform doubles with 32 bits, unbiased integers and
 * normals, all drawn from the workspace's xoshiro128** core
 * (`seedXoshiro128` in `@sublora/tensor`).
 */
import { InputError, seedXoshiro128 } from '@sublora/tensor';

/** A seeded stream of pseudo-random numbers. Not cryptographic. */
export interface Rng {
  /** Uniform on `[0, 1)`, 32 bits of resolution. */
  next(): number;
  /** Uniform integer on `[0, n)`, without modulo bias; `n` is a positive integer `<= 2^32`. */
  int(n: number): number;
  /** Standard normal N(0, 1) (Box-Muller). */
  normal(): number;
  /** Raw uniform 32-bit unsigned integer. */
  uint32(): number;
}

const TWO_32 = 4294967296;

/**
 * Creates a generator from an integer seed (any safe integer, negative allowed).
 * Equal seeds give equal streams on every platform.
 *
 * @example
 * const rng = createRng(42);
 * rng.next(); // in [0, 1)
 * rng.int(10); // in {0, ..., 9}
 */
export function createRng(seed: number): Rng {
  if (!Number.isSafeInteger(seed)) {
    throw new InputError('seed', `${String(seed)} is not a safe integer; pass e.g. 0 or 12345`);
  }
  const lo = seed >>> 0;
  const hi = Math.floor(seed / TWO_32) >>> 0;
  const { uint32 } = seedXoshiro128(lo ^ Math.imul(hi, 0x27d4eb2d));

  let spareNormal: number | undefined;

  return {
    uint32,
    next: () => uint32() / TWO_32,
    int(n: number): number {
      if (!Number.isInteger(n) || n <= 0 || n > TWO_32) {
        throw new InputError(
          'n',
          `${String(n)} is not an integer in [1, 2^32]; rng.int(n) draws from {0, ..., n-1}`,
        );
      }
      // Rejection sampling: accept only draws below the largest multiple of n.
      const limit = TWO_32 - (TWO_32 % n);
      let u = uint32();
      while (u >= limit) u = uint32();
      return u % n;
    },
    normal(): number {
      if (spareNormal !== undefined) {
        const z = spareNormal;
        spareNormal = undefined;
        return z;
      }
      const u1 = 1 - uint32() / TWO_32; // in (0, 1]: log(u1) is finite
      const u2 = uint32() / TWO_32;
      const radius = Math.sqrt(-2 * Math.log(u1));
      spareNormal = radius * Math.sin(2 * Math.PI * u2);
      return radius * Math.cos(2 * Math.PI * u2);
    },
  };
}
