import { createRandom } from './random';

describe('createRandom', () => {
  it('is reproducible, seed-dependent and resumable from its state', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const seqA = Array.from({ length: 5 }, () => a.uniform());
    expect(Array.from({ length: 5 }, () => b.uniform())).toEqual(seqA);
    expect(createRandom(43).uniform()).not.toBe(seqA[0]);
    const c = createRandom(a.state());
    expect(c.uniform()).toBe(a.uniform());
  });

  it('has uniform and normal moments close to theory', () => {
    const r = createRandom(7);
    const n = 50000;
    let su = 0;
    let sn = 0;
    let sn2 = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      if (!(u >= 0 && u < 1)) outside++;
      su += u;
      const z = r.normal();
      sn += z;
      sn2 += z * z;
    }
    expect(outside).toBe(0);
    expect(Math.abs(su / n - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(sn / n)).toBeLessThan(0.02);
    expect(Math.abs(sn2 / n - 1)).toBeLessThan(0.03);
  });

  it('draws integers in range and rejects bad seeds', () => {
    const r = createRandom(0);
    for (let i = 0; i < 100; i++) {
      const k = r.int(3);
      expect([0, 1, 2]).toContain(k);
    }
    expect(() => createRandom(-1)).toThrow(/seed: -1 is not a non-negative integer/);
    expect(() => createRandom([0, 0, 0, 0])).toThrow(/all-zero/);
  });
});
