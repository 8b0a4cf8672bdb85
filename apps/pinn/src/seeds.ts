/**
 * Independent, reproducible random streams per purpose: a run seed and a
 * label (`init`, `points`, `lora`, ...) hash to the seed of one stream, so
 * adding a consumer never shifts the numbers another one sees.
 */
import { type Random, createRandom } from '@sublora/tensor';

/** FNV-1a of `<seed>:<label>`, a 32-bit seed for {@link createRandom}. */
export function deriveSeed(seed: number, label: string): number {
  let h = 0x811c9dc5;
  for (const ch of `${seed}:${label}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The random stream for one purpose of one seeded run. */
export function streamFor(seed: number, label: string): Random {
  return createRandom(deriveSeed(seed, label));
}
