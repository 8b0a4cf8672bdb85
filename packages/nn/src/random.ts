/**
 * Seeded pseudo-random numbers for initialisation and sampling.
 *
 * The bits come from the workspace's xoshiro128** core (`seedXoshiro128` in
 * `@sublora/tensor`), so every seed (including 0) gives a well-mixed state. Uniform
 * doubles use 53 random bits; normals use the Box-Muller transform. Nothing
 * here touches `Math.random`: the same seed gives the same stream on every
 * platform, which is what makes runs reproducible and resumable.
 */
import {
  type Xoshiro128,
  type Xoshiro128State,
  restoreXoshiro128,
  seedXoshiro128,
} from '@sublora/tensor';

/** A seeded random source. Methods advance its state. */
export interface Random {
  /** Uniform on [0, 1) with 53 bits of resolution. */
  uniform(): number;
  /** Standard normal N(0, 1). */
  normal(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** The current state, for checkpoints; `createRandom` accepts it back. */
  state(): RandomState;
}

/** The four 32-bit words of a xoshiro128** state. */
export type RandomState = Xoshiro128State;

/**
 * Creates a seeded generator.
 * @param seed - a non-negative safe integer, or a state saved with `state()`
 * @example
 * const rng = createRandom(7);
 * rng.uniform(); // same value on every run
 */
export function createRandom(seed: number | RandomState): Random {
  let core: Xoshiro128;
  if (typeof seed === 'number') {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new RangeError(`seed: ${seed} is not a non-negative integer; pass e.g. 0, 1 or 42`);
    }
    // Mix the high bits in too, so seeds above 2^32 differ from their low word.
    core = seedXoshiro128((seed ^ Math.floor(seed / 2 ** 32)) >>> 0);
  } else {
    if ((seed[0] | seed[1] | seed[2] | seed[3]) === 0)
      throw new RangeError('seed: an all-zero xoshiro state never changes; pass a saved state');
    core = restoreXoshiro128(seed);
  }
  const nextU32 = core.uint32;
  const uniform = (): number =>
    ((nextU32() >>> 5) * 67108864 + (nextU32() >>> 6)) / 9007199254740992;
  return {
    uniform,
    normal(): number {
      // 1 - uniform() lies in (0, 1], so the logarithm is finite.
      const r = Math.sqrt(-2 * Math.log(1 - uniform()));
      return r * Math.cos(2 * Math.PI * uniform());
    },
    int(n: number): number {
      if (!Number.isSafeInteger(n) || n <= 0)
        throw new RangeError(`n: ${n} is not a positive integer`);
      return Math.floor(uniform() * n);
    },
    state: core.state,
  };
}
