/**
 * The one pseudo-random core of the workspace: xoshiro128** (Blackman and
 * Vigna) with its state expanded from a 32-bit seed word by splitmix32.
 *
 * Distributions live with their users (`createRng` in `@sublora/set-function`
 * for selection, `createRandom` in `@sublora/nn` for initialisation and
 * sampling); both draw their bits from this generator, so a seed means the
 * same stream everywhere and nothing depends on `Math.random`.
 *
 * Why not `pure-rand` (8.4.2, installed through fast-check): it has no
 * xoshiro128**. Its generators are xoroshiro128+, xorshift128+, Mersenne
 * Twister and a 32-bit LCG, and none gives these streams: from seeds 0 and
 * 42 their first 8 outputs share no value with ours (measured), while the
 * seeded streams (network initialisation, collocation sampling, stochastic
 * greedy) must stay bit-identical for saved checkpoints and published
 * results. The generator is 20 lines checked against the reference C code.
 */

/** The four 32-bit words of a xoshiro128** state. */
export type Xoshiro128State = readonly [number, number, number, number];

/** A xoshiro128** generator. Not cryptographic. */
export interface Xoshiro128 {
  /** The next uniform 32-bit unsigned integer. */
  uint32(): number;
  /** A copy of the current state; {@link restoreXoshiro128} resumes from it. */
  state(): Xoshiro128State;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

function generator(s: Uint32Array): Xoshiro128 {
  // xoshiro128** never leaves the all-zero state; splitmix32 makes that state
  // astronomically unlikely, this makes it impossible.
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
  return {
    uint32(): number {
      const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
      const t = s[1] << 9;
      s[2] ^= s[0];
      s[3] ^= s[1];
      s[1] ^= s[2];
      s[0] ^= s[3];
      s[2] ^= t;
      s[3] = rotl(s[3], 11);
      return result;
    },
    state: () => [s[0], s[1], s[2], s[3]],
  };
}

/**
 * A generator whose state is four splitmix32 outputs of `word` (taken as a
 * 32-bit unsigned integer), so small or similar seeds still give well-mixed,
 * unrelated streams.
 */
export function seedXoshiro128(word: number): Xoshiro128 {
  const s = new Uint32Array(4);
  let mix = word | 0;
  for (let k = 0; k < 4; k++) {
    mix = (mix + 0x9e3779b9) | 0;
    let z = mix;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    s[k] = z ^ (z >>> 16);
  }
  return generator(s);
}

/** A generator resumed from a saved {@link Xoshiro128State}. */
export function restoreXoshiro128(state: Xoshiro128State): Xoshiro128 {
  return generator(Uint32Array.from(state));
}
