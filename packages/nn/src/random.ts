/**
 * Seeded pseudo-random numbers for initialisation and sampling.
 *
 * The generator is xoshiro128** (Blackman and Vigna) seeded through
 * splitmix32, so every seed (including 0) gives a well-mixed state. Uniform
 * doubles use 53 random bits; normals use the Box-Muller transform. Nothing
 * here touches `Math.random`: the same seed gives the same stream on every
 * platform, which is what makes runs reproducible and resumable.
 */

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
export type RandomState = readonly [number, number, number, number];

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * Creates a seeded generator.
 * @param seed - a non-negative safe integer, or a state saved with `state()`
 * @example
 * const rng = createRandom(7);
 * rng.uniform(); // same value on every run
 */
export function createRandom(seed: number | RandomState): Random {
  let s: [number, number, number, number];
  if (typeof seed === 'number') {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new RangeError(`seed: ${seed} is not a non-negative integer; pass e.g. 0, 1 or 42`);
    }
    // Mix the high bits in too, so seeds above 2^32 differ from their low word.
    const next = splitmix32((seed ^ Math.floor(seed / 2 ** 32)) >>> 0);
    s = [next(), next(), next(), next()];
  } else {
    s = [seed[0] >>> 0, seed[1] >>> 0, seed[2] >>> 0, seed[3] >>> 0];
    if ((s[0] | s[1] | s[2] | s[3]) === 0)
      throw new RangeError('seed: an all-zero xoshiro state never changes; pass a saved state');
  }
  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    s = [s[0] >>> 0, s[1] >>> 0, s[2] >>> 0, s[3] >>> 0];
    return result;
  };
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
    state: () => [s[0], s[1], s[2], s[3]],
  };
}
