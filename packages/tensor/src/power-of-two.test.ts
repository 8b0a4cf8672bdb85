import fc from 'fast-check';
import { normalizingFactors } from './power-of-two';

describe('normalizingFactors', () => {
  it('brings any finite positive magnitude into [1, 2) by two exact powers of two', () => {
    const extremes = [
      Number.MIN_VALUE,
      2 ** -1022,
      1e-300,
      0.75,
      1,
      1.5,
      2,
      1e300,
      Number.MAX_VALUE,
    ];
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constantFrom(...extremes),
          fc.double({ min: Number.MIN_VALUE, max: Number.MAX_VALUE, noNaN: true }),
        ),
        (largest) => {
          const [f1, f2] = normalizingFactors(largest);
          for (const f of [f1, f2]) {
            expect(Number.isFinite(f) && f > 0).toBe(true);
            expect(Math.log2(f)).toBe(Math.round(Math.log2(f))); // a power of two
          }
          const scaled = largest * f1 * f2;
          expect(scaled).toBeGreaterThanOrEqual(1);
          expect(scaled).toBeLessThan(2);
          // exact: undone by the same factors
          expect(scaled / f1 / f2).toBe(largest);
        },
      ),
      { numRuns: 500 },
    );
  });
});
