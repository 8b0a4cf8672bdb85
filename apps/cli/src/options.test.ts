import fc from 'fast-check';
import { InputError } from '@sublora/tensor';
import { parseBudget, parseLayers, parseSeed } from './options';

describe('parseBudget', () => {
  it('accepts integer counts in 0..r and nothing else', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.integer({ min: -5, max: 205 }), (r, b) => {
        if (b >= 0 && b <= r) expect(parseBudget(String(b), r)).toBe(b);
        else expect(() => parseBudget(String(b), r)).toThrow(InputError);
      }),
      { numRuns: 200 },
    );
  });

  it('reads P% as floor(r * P / 100)', () => {
    expect(parseBudget('40%', 100)).toBe(40);
    expect(parseBudget('40%', 7)).toBe(2);
    expect(parseBudget('100%', 7)).toBe(7);
    expect(parseBudget('0%', 7)).toBe(0);
    expect(() => parseBudget('101%', 7)).toThrow(/more than 100%/);
    expect(() => parseBudget('100.0000000000000001%', 7)).toThrow(/more than 100%/);
    expect(parseBudget('100.000%', 7)).toBe(7);
  });

  it('reads decimal percentages exactly, as rational arithmetic does', () => {
    expect(parseBudget('18.4%', 375)).toBe(69); // 375 * 184 / 1000 = 69 exactly
    // floor(r * P / 100) with P = n / 10^d, in exact integers
    const exact = (r: number, n: number, d: number) => {
      const b = 100 * 10 ** d;
      return (r * n - ((r * n) % b)) / b;
    };
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 0, max: 10_000 }),
        (r, d, raw) => {
          const n = raw % (100 * 10 ** d + 1); // P in 0..100
          const p = `${Math.floor(n / 10 ** d)}.${String(n % 10 ** d).padStart(d, '0')}%`;
          // r * n < 2^53: the reference's integers are exact
          expect(parseBudget(p, r)).toBe(exact(r, n, d));
        },
      ),
      { numRuns: 2000 },
    );
    for (const [p, r, kept] of [
      ['18.4%', 375, 69],
      ['0.1%', 1000, 1],
      ['14.35%', 400, 57],
      ['57.5%', 200, 115],
      ['28.7%', 1000, 287],
      ['0.07%', 100, 0],
      ['99.99%', 10000, 9999],
    ] as const) {
      expect(parseBudget(p, r)).toBe(kept);
    }
  });

  it('rejects fractions and junk with a fix', () => {
    for (const bad of ['1.5', '0.4', 'two', '', '1e2', '-1%']) {
      expect(() => parseBudget(bad, 10)).toThrow(/^--budget: .*(not an integer|outside)/);
    }
    expect(() => parseBudget('11', 10)).toThrow(
      '--budget: 11 is outside 0..10 (r = 10 singular values)',
    );
  });
});

describe('parseLayers / parseSeed', () => {
  it('parses sizes that add up to r', () => {
    expect(parseLayers('50,50', 100)).toEqual([50, 50]);
    expect(parseLayers(' 3, 4 ', 7)).toEqual([3, 4]);
    expect(() => parseLayers('50,40', 100)).toThrow('add up to 90 but sigma has 100');
    expect(() => parseLayers('50,0,50', 100)).toThrow("entry '0' is not a positive integer");
    expect(() => parseLayers('a', 1)).toThrow(InputError);
  });

  it('parses non-negative integer seeds', () => {
    expect(parseSeed('42')).toBe(42);
    expect(() => parseSeed('-1')).toThrow('--seed');
    expect(() => parseSeed('1.5')).toThrow('--seed');
  });
});
