import fc from 'fast-check';
import { createRandom, restoreXoshiro128, seedXoshiro128 } from './random';

describe('xoshiro128**', () => {
  it('matches the reference implementation (Blackman and Vigna) from state (1, 2, 3, 4)', () => {
    // First outputs of the reference xoshiro128starstar.c started from
    // s = {1, 2, 3, 4}.
    const g = restoreXoshiro128([1, 2, 3, 4]);
    const out = Array.from({ length: 8 }, () => g.uint32());
    expect(out).toEqual([
      11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849,
    ]);
  });

  it('resumes exactly from a saved state', () => {
    fc.assert(
      fc.property(fc.integer(), fc.nat(50), (word, skip) => {
        const a = seedXoshiro128(word);
        for (let i = 0; i < skip; i++) a.uint32();
        const b = restoreXoshiro128(a.state());
        for (let i = 0; i < 20; i++) expect(b.uint32()).toBe(a.uint32());
      }),
      { numRuns: 50 },
    );
  });

  it('gives different streams for neighbouring seed words, and never the all-zero state', () => {
    const first = new Set(Array.from({ length: 1000 }, (_, w) => seedXoshiro128(w).uint32()));
    expect(first.size).toBeGreaterThan(990);
    expect(restoreXoshiro128([0, 0, 0, 0]).state()).not.toEqual([0, 0, 0, 0]);
  });
});

describe('createRandom', () => {
  it('is reproducible from its seed, differs across seeds and resumes from its state', () => {
    const a = createRandom(7);
    const b = createRandom(7);
    const xs = Array.from({ length: 20 }, () => a.uint32());
    expect(Array.from({ length: 20 }, () => b.uint32())).toEqual(xs);
    expect(Array.from({ length: 20 }, () => createRandom(8).uint32())).not.toEqual(xs);
    // large and negative seeds are distinct streams too
    expect(createRandom(2 ** 40).uint32()).not.toBe(createRandom(0).uint32());
    expect(createRandom(-1).uint32()).not.toBe(createRandom(1).uint32());
    const c = createRandom(a.state());
    expect(c.uniform()).toBe(a.uniform());
    expect(c.normal()).toBe(a.normal());
  });

  it('draws its words from the core seeded with the seed word', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (seed) => {
        const core = seedXoshiro128(seed);
        const rng = createRandom(seed);
        expect(rng.uint32()).toBe(core.uint32());
        expect(rng.uniform32()).toBe(core.uint32() / 2 ** 32);
        const [w1, w2] = [core.uint32(), core.uint32()];
        expect(rng.uniform()).toBe(((w1 >>> 5) * 2 ** 26 + (w2 >>> 6)) / 2 ** 53);
      }),
      { numRuns: 50 },
    );
  });

  it('uniform32() and uniform() are uniform on [0, 1): mean, variance and bucket counts', () => {
    for (const draw of ['uniform32', 'uniform'] as const) {
      const rng = createRandom(1);
      const n = 100_000;
      const buckets = new Array<number>(10).fill(0);
      let sum = 0;
      let sumSq = 0;
      let outside = 0;
      for (let k = 0; k < n; k++) {
        const x = rng[draw]();
        if (!(x >= 0 && x < 1)) outside++;
        sum += x;
        sumSq += x * x;
        buckets[Math.floor(x * 10)]++;
      }
      expect(outside).toBe(0);
      expect(sum / n).toBeCloseTo(0.5, 2);
      expect(sumSq / n - (sum / n) ** 2).toBeCloseTo(1 / 12, 2);
      // chi-square with 9 degrees of freedom: 99.9% quantile is 27.9
      const chi2 = buckets.reduce((acc, c) => acc + (c - n / 10) ** 2 / (n / 10), 0);
      expect(chi2).toBeLessThan(27.9);
    }
  });

  it('int(n) covers {0..n-1} evenly and rejects bad n', () => {
    const rng = createRandom(3);
    const counts = new Array<number>(7).fill(0);
    for (let k = 0; k < 70_000; k++) counts[rng.int(7)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    expect(rng.int(1)).toBe(0);
    expect(() => rng.int(0)).toThrow(/^n: 0 is not an integer/);
    expect(() => rng.int(2.5)).toThrow(/^n:/);
  });

  it('normal() has mean 0, variance 1 and P(|Z| > 2) = 0.0455', () => {
    const rng = createRandom(5);
    const n = 100_000;
    let sum = 0;
    let sumSq = 0;
    let beyond2 = 0;
    for (let k = 0; k < n; k++) {
      const z = rng.normal();
      sum += z;
      sumSq += z * z;
      if (Math.abs(z) > 2) beyond2++;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.02);
    expect(Math.abs(sumSq / n - 1)).toBeLessThan(0.03);
    expect(Math.abs(beyond2 / n - 0.0455)).toBeLessThan(0.004);
  });

  it('rejects non-integer seeds and the all-zero state', () => {
    expect(() => createRandom(1.5)).toThrow(/^seed: 1.5 is not a safe integer/);
    expect(() => createRandom(NaN)).toThrow(/^seed:/);
    expect(() => createRandom([0, 0, 0, 0])).toThrow(/^seed: an all-zero/);
  });
});
