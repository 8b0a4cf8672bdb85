/**
 * A content hash of long number arrays (a constant's data, gather indices),
 * so that keys naming them stay short. Hash-consing and session caches key
 * nodes by their params; a w x w weight written out as JSON is a 20 MB
 * string per constant, which costs more to build, hash and collect than the
 * rest of a w = 1000 Hessian graph's construction. Written by hand: the
 * package is pure (no `node:crypto`), and it needs 128 bits over float64 bit
 * patterns, not a string digest.
 *
 * Not collision-resistant: each block's mixing can be inverted, so a
 * second array with the same hash can be constructed on purpose. Users of a
 * key that holds it must not trust it alone: `Builder.emit` compares the
 * entries on a hit, and the onnxruntime session key (`graphKey`) also feeds
 * the arrays' bytes to sha256.
 */

/** Arrays at least this long are keyed by length and hash instead of JSON. */
export const HASHED_ARRAY_MIN_LENGTH = 256;

/** Whether a params value is a number array keyed by its hash ({@link HASHED_ARRAY_MIN_LENGTH}). */
export const isHashedArray = (v: unknown): v is readonly number[] =>
  Array.isArray(v) && v.length >= HASHED_ARRAY_MIN_LENGTH;

const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93;

const rotl = (x: number, r: number) => (x << r) | (x >>> (32 - r));

/** murmur3's 32-bit finalizer: every input bit affects every output bit. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const scratch = new Float64Array(2048);
const words = new Uint32Array(scratch.buffer);

/**
 * 128 bits (32 hex digits) of the float64 bit patterns of `data`, in the
 * manner of murmur3's x86_128 (four 32-bit lanes, each word mixed into its
 * lane, lanes cross-mixed at the end). Arrays that were not made to collide
 * collide with probability about 2^-128 (see the module comment for the
 * ones that were). `-0` and `0` hash differently, as their bits differ.
 */
export function hashFloat64s(data: ArrayLike<number>): string {
  let h1 = 0x9747b28c;
  let h2 = h1;
  let h3 = h1;
  let h4 = h1;
  for (let start = 0; start < data.length; start += scratch.length) {
    const n = Math.min(scratch.length, data.length - start);
    for (let i = 0; i < n; i++) scratch[i] = data[start + i];
    // four words per pair of values: one to each lane
    for (let w = 0; w < 2 * n; w += 4) {
      const k1 = words[w];
      const k2 = w + 1 < 2 * n ? words[w + 1] : 0;
      const k3 = w + 2 < 2 * n ? words[w + 2] : 0;
      const k4 = w + 3 < 2 * n ? words[w + 3] : 0;
      h1 ^= Math.imul(rotl(Math.imul(k1, C1), 15), C2);
      h1 = (Math.imul(rotl(h1, 19) + h2, 5) + 0x561ccd1b) | 0;
      h2 ^= Math.imul(rotl(Math.imul(k2, C2), 16), C3);
      h2 = (Math.imul(rotl(h2, 17) + h3, 5) + 0x0bcaa747) | 0;
      h3 ^= Math.imul(rotl(Math.imul(k3, C3), 17), C4);
      h3 = (Math.imul(rotl(h3, 15) + h4, 5) + 0x96cd1c35) | 0;
      h4 ^= Math.imul(rotl(Math.imul(k4, C4), 18), C1);
      h4 = (Math.imul(rotl(h4, 13) + h1, 5) + 0x32ac3b17) | 0;
    }
  }
  const len = data.length;
  h1 ^= len;
  h2 ^= len;
  h3 ^= len;
  h4 ^= len;
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h3 = fmix(h3);
  h4 = fmix(h4);
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  return [h1, h2, h3, h4].map((h) => (h >>> 0).toString(16).padStart(8, '0')).join('');
}
