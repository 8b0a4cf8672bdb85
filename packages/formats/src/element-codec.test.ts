import { bfloat16ToNumber, halfToNumber } from './element-codec';

/** binary16 -> binary32 by bit manipulation (normal numbers, inf and NaN). */
function halfViaFloat32Bits(bits: number): number {
  const sign = (bits & 0x8000) << 16;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  const f32Exponent = exponent === 0x1f ? 0xff : exponent - 15 + 127;
  const u32 = Uint32Array.of(sign | (f32Exponent << 23) | (mantissa << 13));
  return new Float32Array(u32.buffer)[0];
}

describe('halfToNumber', () => {
  it('agrees with a binary32 bit conversion on every normal, infinite and NaN pattern', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      if (((bits >> 10) & 0x1f) === 0) continue;
      expect(
        Object.is(halfToNumber(bits), halfViaFloat32Bits(bits)) ||
          (Number.isNaN(halfToNumber(bits)) && Number.isNaN(halfViaFloat32Bits(bits))),
      ).toBe(true);
    }
  });

  it('decodes subnormals as multiples of 2^-24 and keeps the sign of zero', () => {
    expect(halfToNumber(0x0001)).toBe(2 ** -24);
    expect(halfToNumber(0x03ff)).toBe(1023 * 2 ** -24);
    expect(halfToNumber(0x8001)).toBe(-(2 ** -24));
    expect(Object.is(halfToNumber(0x8000), -0)).toBe(true);
  });
});

describe('bfloat16ToNumber', () => {
  it('is the upper half of a binary32', () => {
    for (let bits = 0; bits < 0x10000; bits += 7) {
      const want = new Float32Array(Uint32Array.of(bits << 16).buffer)[0];
      const got = bfloat16ToNumber(bits);
      expect(Object.is(got, want) || (Number.isNaN(got) && Number.isNaN(want))).toBe(true);
    }
    expect(bfloat16ToNumber(0x3f80)).toBe(1);
    expect(bfloat16ToNumber(0xff80)).toBe(-Infinity);
  });
});
