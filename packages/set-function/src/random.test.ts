import { createRng } from './random';

describe('createRng', () => {
  it('is reproducible from its seed and differs across seeds', () => {
    const a = createRng(7);
    const b = createRng(7);
    const c = createRng(8);
    const xs = Array.from({ length: 20 }, () => a.uint32());
    expect(Array.from({ length: 20 }, () => b.uint32())).toEqual(xs);
    expect(Array.from({ length: 20 }, () => c.uint32())).not.toEqual(xs);
    // large and negative seeds are distinct streams too
    expect(createRng(2 ** 40).uint32()).not.toBe(createRng(0).uint32());
    expect(createRng(-1).uint32()).not.toBe(createRng(1).uint32());
  });

  it('next() is uniform on [0, 1): mean, variance and bucket counts', () => {
    const rng = createRng(1);
    const n = 100_000;
    const buckets = new Array<number>(10).fill(0);
    let sum = 0;
    let sumSq = 0;
    let outside = 0;
    for (let k = 0; k < n; k++) {
      const x = rng.next();
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
  });

  it('int(n) covers {0..n-1} evenly and rejects bad n', () => {
    const rng = createRng(3);
    const counts = new Array<number>(7).fill(0);
    for (let k = 0; k < 70_000; k++) counts[rng.int(7)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    expect(rng.int(1)).toBe(0);
    expect(() => rng.int(0)).toThrow(/^n: 0 is not an integer/);
    expect(() => rng.int(2.5)).toThrow(/^n:/);
  });

  it('normal() has mean 0 and variance 1', () => {
    const rng = createRng(5);
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
    // P(|Z| > 2) = 0.0455
    expect(Math.abs(beyond2 / n - 0.0455)).toBeLessThan(0.004);
  });

  it('rejects non-integer seeds', () => {
    expect(() => createRng(1.5)).toThrow(/^seed: 1.5 is not a safe integer/);
    expect(() => createRng(NaN)).toThrow(/^seed:/);
  });
});
