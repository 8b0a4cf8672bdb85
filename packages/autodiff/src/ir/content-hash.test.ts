import fc from 'fast-check';
import { HASHED_ARRAY_MIN_LENGTH, hashFloat64s } from './content-hash';
import { paramsKey } from './builder';

describe('hashFloat64s', () => {
  test('is 32 hex digits, a function of the entries alone', () => {
    const a = Array.from({ length: 5000 }, (_, i) => Math.cos(i));
    expect(hashFloat64s(a)).toMatch(/^[0-9a-f]{32}$/);
    expect(hashFloat64s(Float64Array.from(a))).toBe(hashFloat64s(a));
    expect(hashFloat64s(a.slice())).toBe(hashFloat64s(a));
  });

  test('any change of one entry, of the length or of the order changes it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true }), { minLength: 1, maxLength: 3000 }),
        fc.nat(),
        fc.double({ noNaN: true }),
        (values, at, other) => {
          const i = at % values.length;
          fc.pre(!Object.is(values[i], other));
          const changed = [...values];
          changed[i] = other;
          const h = hashFloat64s(values);
          expect(hashFloat64s(changed)).not.toBe(h);
          expect(hashFloat64s([...values, 0])).not.toBe(h);
          if (values.length > 1 && !Object.is(values[0], values[1])) {
            const swapped = [values[1], values[0], ...values.slice(2)];
            expect(hashFloat64s(swapped)).not.toBe(h);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  test('distinguishes -0 from 0 and the empty array from [0]', () => {
    expect(hashFloat64s([-0])).not.toBe(hashFloat64s([0]));
    expect(hashFloat64s([])).not.toBe(hashFloat64s([0]));
  });
});

describe('paramsKey', () => {
  test('keys long arrays by length and hash, short ones as JSON', () => {
    const long = Array.from({ length: HASHED_ARRAY_MIN_LENGTH }, (_, i) => i / 7);
    const key = paramsKey({ shape: [16, 16], data: long, dtype: 'float64' });
    expect(key).toBe(
      `data=#${HASHED_ARRAY_MIN_LENGTH}:${hashFloat64s(long)};dtype="float64";shape=[16,16]`,
    );
    expect(paramsKey({ data: [1, 2], shape: [2] })).toBe('data=[1,2];shape=[2]');
  });
});
