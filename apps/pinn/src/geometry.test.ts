import { createRandom } from '@sublora/tensor';
import {
  coordinate,
  evaluationGrid,
  exactOn,
  relativeL2Error,
  sampleCircle,
  sampleCollocation,
  sampleDisk,
} from './geometry';
import { PDES } from './pdes';

const radiusOf = (data: Float64Array, dim: number, i: number) =>
  Math.hypot(data[i * dim], data[i * dim + 1]);

describe('sampling', () => {
  it('is reproducible for a seed and differs across seeds', () => {
    const a = sampleDisk(50, createRandom(3), 'uniform');
    const b = sampleDisk(50, createRandom(3), 'uniform');
    const c = sampleDisk(50, createRandom(4), 'uniform');
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(Array.from(a.data)).not.toEqual(Array.from(c.data));
  });

  it('fills the disk uniformly by area (sqrt-radius sampling)', () => {
    const n = 20000;
    const p = sampleDisk(n, createRandom(1), 'none');
    let inner = 0;
    for (let i = 0; i < n; i++) {
      const r = radiusOf(p.data, 2, i);
      expect(r).toBeGreaterThan(0);
      expect(r).toBeLessThanOrEqual(1);
      if (r < 0.5) inner++;
    }
    // Area fraction of the disk of radius 1/2 is 1/4; binomial sd ~ 0.003.
    expect(Math.abs(inner / n - 0.25)).toBeLessThan(0.015);
  });

  it('puts boundary points on the circle and times in [0, 1)', () => {
    const p = sampleCircle(100, createRandom(2), true);
    for (let i = 0; i < p.count; i++) {
      expect(radiusOf(p.data, 3, i)).toBeCloseTo(1, 14);
      expect(coordinate(p, i, 2)).toBeGreaterThanOrEqual(0);
      expect(coordinate(p, i, 2)).toBeLessThan(1);
    }
  });

  it('spaces equispaced boundary angles 2 pi / n apart, covering the circle', () => {
    const n = 12;
    const p = sampleCircle(n, createRandom(3), false, 'equispaced');
    const angles = Array.from({ length: n }, (_, i) =>
      Math.atan2(coordinate(p, i, 1), coordinate(p, i, 0)),
    )
      .map((a) => (a < 0 ? a + 2 * Math.PI : a))
      .sort((a, b) => a - b);
    for (let i = 0; i < n; i++) {
      expect(radiusOf(p.data, 2, i)).toBeCloseTo(1, 14);
      const next = i + 1 < n ? angles[i + 1] : angles[0] + 2 * Math.PI;
      expect(next - angles[i]).toBeCloseTo((2 * Math.PI) / n, 12);
    }
  });

  it('builds the loss terms of each PDE with targets from its exact data', () => {
    const counts = { interior: 30, boundary: 20, initial: 10 };
    const hyper = PDES.hyperbolic;
    const inst = hyper.at([1, 5]);
    const col = sampleCollocation(hyper, inst, counts, createRandom(9));
    expect(col.terms.map((t) => t.name)).toEqual(['boundary', 'initial.u', 'initial.ut']);
    expect(col.interior.count).toBe(30);
    const i = 7;
    expect(col.source[i]).toBe(
      inst.source(
        coordinate(col.interior, i, 0),
        coordinate(col.interior, i, 1),
        coordinate(col.interior, i, 2),
      ),
    );
    for (let k = 0; k < 10; k++) expect(coordinate(col.terms[1].points, k, 2)).toBe(0);

    const ell = sampleCollocation(PDES.elliptic, PDES.elliptic.at([1, 1]), counts, createRandom(9));
    expect(ell.terms.map((t) => t.name)).toEqual(['boundary']);
    expect(ell.interior.dim).toBe(2);
    const ac = sampleCollocation(
      PDES['allen-cahn'],
      PDES['allen-cahn'].at([1, 1]),
      counts,
      createRandom(9),
    );
    expect(ac.terms.map((t) => t.name)).toEqual(['boundary', 'initial.u']);
    // Allen-Cahn's initial target is the nonzero profile s(|x|).
    expect(Math.max(...Array.from(ac.terms[1].target).map(Math.abs))).toBeGreaterThan(0.1);
  });
});

describe('evaluation grid and error', () => {
  it('keeps grid points inside the closed disk and repeats them per time step', () => {
    const g2 = evaluationGrid(PDES.elliptic, 21, 1);
    for (let i = 0; i < g2.count; i++)
      expect(radiusOf(g2.data, 2, i)).toBeLessThanOrEqual(1 + 1e-12);
    // Brute-force count of integer lattice points (i, j) in [-10, 10]^2 with i^2 + j^2 <= 100.
    let lattice = 0;
    for (let i = -10; i <= 10; i++)
      for (let j = -10; j <= 10; j++) if (i * i + j * j <= 100) lattice++;
    expect(g2.count).toBe(lattice);
    const g3 = evaluationGrid(PDES['allen-cahn'], 21, 5);
    expect(g3.count).toBe(g2.count * 5);
    expect(coordinate(g3, g3.count - 1, 2)).toBe(1);
  });

  it('computes the relative L2 error', () => {
    expect(relativeL2Error([1, 2, 2], [1, 2, 2])).toBe(0);
    expect(relativeL2Error([0, 0], [3, 4])).toBe(1);
    expect(relativeL2Error([3, 4.5], [3, 4])).toBeCloseTo(0.1, 15);
    expect(() => relativeL2Error([1], [0])).toThrow(/zero/);
    expect(() => relativeL2Error([1, 2], [1])).toThrow(/predicted/);
    const grid = evaluationGrid(PDES.elliptic, 11, 1);
    const u = exactOn(PDES.elliptic.at([1, 1]), grid);
    expect(relativeL2Error(u, u)).toBe(0);
  });
});
