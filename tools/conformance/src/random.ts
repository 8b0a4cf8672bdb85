/**
 * Seeded random inputs for conformance cases: shapes, broadcast-compatible
 * shape pairs, tensors with values in a chosen range.
 */
import type { Random } from '@sublora/tensor';

/** A host tensor: row-major values and a shape. */
export interface HostTensor {
  readonly data: readonly number[];
  readonly shape: readonly number[];
}

/** Uniform integer in `[lo, hi]`. */
export function intIn(rng: Random, lo: number, hi: number): number {
  return lo + rng.int(hi - lo + 1);
}

/** A random shape of the given rank with dimensions in `[1, maxDim]`. */
export function randomShape(rng: Random, rank: number, maxDim = 4): number[] {
  return Array.from({ length: rank }, () => intIn(rng, 1, maxDim));
}

/** Values uniform in `[lo, hi)` for a tensor of `shape`. */
export function uniform(rng: Random, shape: readonly number[], lo = -1, hi = 1): HostTensor {
  const n = shape.reduce((p, d) => p * d, 1);
  return { data: Array.from({ length: n }, () => lo + (hi - lo) * rng.uniform32()), shape };
}

/** Values drawn from `choices` (to make ties and zeros likely). */
export function choose(
  rng: Random,
  shape: readonly number[],
  choices: readonly number[],
): HostTensor {
  const n = shape.reduce((p, d) => p * d, 1);
  return { data: Array.from({ length: n }, () => choices[rng.int(choices.length)]), shape };
}

/**
 * Two shapes that broadcast against each other: a random output shape of
 * rank 1-4, each operand a suffix of it with some dimensions set to 1.
 */
export function broadcastPair(rng: Random): [number[], number[]] {
  const out = randomShape(rng, intIn(rng, 1, 4));
  const operand = () => {
    const rank = intIn(rng, 0, out.length);
    return out.slice(out.length - rank).map((d) => (rng.uniform32() < 0.3 ? 1 : d));
  };
  return [operand(), operand()];
}

/** A random permutation of `0..n-1` (Fisher-Yates). */
export function permutation(rng: Random, n: number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/**
 * A random non-empty subset of `0..rank-1` in random order, each axis written
 * as `axis` or `axis - rank` (negative axes count from the end).
 */
export function randomAxes(rng: Random, rank: number): number[] {
  const count = intIn(rng, 1, rank);
  return permutation(rng, rank)
    .slice(0, count)
    .map((a) => (rng.uniform32() < 0.5 ? a : a - rank));
}
