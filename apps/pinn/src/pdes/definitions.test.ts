import fc from 'fast-check';
import { PDES, PDE_NAMES, type PdeInstance } from './definitions';
import { type Fields, numberAlgebra } from './operators';
import { type Lambda, spatialProfile } from './radial';

// Independent truth: central finite differences of the exact solution in
// Cartesian coordinates (no polar formulas involved), float64.
const H = 1e-4;

function fdFields(pde: PdeInstance, x: number, y: number, t?: number): Fields<number> {
  const u = (dx: number, dy: number, dt: number) =>
    pde.exact(x + dx, y + dy, t === undefined ? undefined : t + dt);
  const u0 = u(0, 0, 0);
  const uxx = (u(H, 0, 0) - 2 * u0 + u(-H, 0, 0)) / (H * H);
  const uyy = (u(0, H, 0) - 2 * u0 + u(0, -H, 0)) / (H * H);
  const fields: Fields<number> = {
    x,
    y,
    u: u0,
    ux: (u(H, 0, 0) - u(-H, 0, 0)) / (2 * H),
    uy: (u(0, H, 0) - u(0, -H, 0)) / (2 * H),
    lap: uxx + uyy,
  };
  if (t === undefined) return fields;
  return {
    ...fields,
    t,
    ut: (u(0, 0, H) - u(0, 0, -H)) / (2 * H),
    utt: (u(0, 0, H) - 2 * u0 + u(0, 0, -H)) / (H * H),
  };
}

const PAPER_LAMBDAS: Lambda[] = [
  [1, 0],
  [1, 1],
  [1, 5],
  [2, 1],
];

// Points strictly inside the disk, away from the origin (where lambda1 = 2 is
// singular) and from the circle (where q^0.5 is not real one step outside).
const interiorPoint = fc
  .record({
    rho: fc.double({ min: 0.05, max: 0.9, noNaN: true }),
    theta: fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }),
  })
  .map(({ rho, theta }) => [rho * Math.cos(theta), rho * Math.sin(theta)] as const);
const time = fc.double({ min: 0.01, max: 0.99, noNaN: true });
const lambda = fc.tuple(
  fc.double({ min: 0.5, max: 3, noNaN: true }),
  fc.double({ min: -5, max: 5, noNaN: true }),
);

describe.each(PDE_NAMES)('%s exact solution', (name) => {
  const def = PDES[name];

  function residualGap(
    inst: PdeInstance,
    x: number,
    y: number,
    t?: number,
  ): { gap: number; scale: number } {
    const fields = fdFields(inst, x, y, def.timeDependent ? t : undefined);
    const lhs = def.operator(numberAlgebra, fields);
    const g = inst.source(x, y, def.timeDependent ? t : undefined);
    return { gap: Math.abs(lhs - g), scale: 1 + Math.abs(g) + Math.abs(fields.lap ?? 0) };
  }

  it.each(PAPER_LAMBDAS)(
    'satisfies the PDE with finite-difference derivatives at lambda = (%d, %d)',
    (l1, l2) => {
      const inst = def.at([l1, l2]);
      for (const [x, y, t] of [
        [0.3, -0.2, 0.4],
        [-0.61, 0.05, 0.9],
        [0.1, 0.12, 0.05],
        [0.0, 0.85, 0.7],
      ]) {
        const { gap, scale } = residualGap(inst, x, y, t);
        expect(gap / scale).toBeLessThan(2e-5);
      }
    },
  );

  it('satisfies the PDE for random lambda, points and times', () => {
    fc.assert(
      fc.property(lambda, interiorPoint, time, (lam, [x, y], t) => {
        const { gap, scale } = residualGap(def.at(lam), x, y, t);
        return gap / scale < 5e-5;
      }),
      { numRuns: 60 },
    );
  });

  it('catches a wrong source (the check can fail)', () => {
    const inst = def.at([1, 1]);
    const fields = fdFields(inst, 0.3, 0.2, def.timeDependent ? 0.5 : undefined);
    const wrong = inst.source(0.3, 0.2, def.timeDependent ? 0.5 : undefined) * 1.01 + 0.01;
    expect(Math.abs(def.operator(numberAlgebra, fields) - wrong)).toBeGreaterThan(1e-3);
  });

  it('boundary data equals the exact solution on the circle', () => {
    const inst = def.at([2, 1]);
    for (const theta of [0, 1, 2.5, 4]) {
      const x = Math.cos(theta);
      const y = Math.sin(theta);
      for (const t of [0, 0.5, 1]) {
        const tt = def.timeDependent ? t : undefined;
        expect(inst.boundary(x, y, tt)).toBeCloseTo(inst.exact(x, y, tt), 12);
      }
    }
  });

  it('initial conditions match u and u_t of the exact solution at t = 0', () => {
    const inst = def.at([1, 5]);
    expect(inst.initial.map((c) => c.field)).toEqual(
      name === 'elliptic' ? [] : name === 'allen-cahn' ? ['u'] : ['u', 'ut'],
    );
    for (const c of inst.initial) {
      for (const [x, y] of [
        [0.2, 0.3],
        [-0.5, 0.1],
      ]) {
        const truth =
          c.field === 'u'
            ? inst.exact(x, y, 0)
            : (inst.exact(x, y, H) - inst.exact(x, y, -H)) / (2 * H);
        expect(Math.abs(c.value(x, y) - truth)).toBeLessThan(1e-7);
      }
    }
  });
});

describe('spatialProfile', () => {
  it('radial derivatives match finite differences', () => {
    fc.assert(
      fc.property(lambda, fc.double({ min: 0.02, max: 0.95, noNaN: true }), (lam, rho) => {
        const s = spatialProfile(lam);
        const d1 = (s.value(rho + H) - s.value(rho - H)) / (2 * H);
        const d2 = (s.value(rho + H) - 2 * s.value(rho) + s.value(rho - H)) / (H * H);
        return (
          Math.abs(d1 - s.d1(rho)) < 1e-6 * (1 + Math.abs(d1)) &&
          Math.abs(d2 - s.d2(rho)) < 1e-4 * (1 + Math.abs(d2))
        );
      }),
      { numRuns: 60 },
    );
  });

  it("has the finite Laplacian limit 2 s''(0) at the origin when lambda1 is odd", () => {
    const s = spatialProfile([1, 1]);
    expect(s.laplacian(0)).toBeCloseTo(2 * s.d2(0), 10);
    // The limit is approached linearly in rho.
    for (const rho of [1e-3, 1e-5, 1e-7])
      expect(Math.abs(s.laplacian(rho) - s.laplacian(0))).toBeLessThan(200 * rho);
  });

  it('reports the cone singularity of lambda1 = 2 at the origin as infinite', () => {
    const s = spatialProfile([2, 1]);
    expect(s.d1(0)).toBeCloseTo(2.5 * Math.PI, 12);
    expect(s.laplacian(0)).toBe(Infinity);
    expect(s.laplacian(1e-8)).toBeGreaterThan(1e8);
  });

  it('is finite on points of the circle that round to just above radius 1', () => {
    const s = spatialProfile([2, 1]);
    expect(s.value(1 + 2.2e-16)).toBe(0);
    expect(Number.isFinite(s.d2(1 + 2.2e-16))).toBe(true);
    expect(Number.isNaN(s.value(1.1))).toBe(true);
  });

  it('vanishes on the circle for every lambda', () => {
    fc.assert(
      fc.property(lambda, (lam) => Math.abs(spatialProfile(lam).value(1)) < 1e-15),
      { numRuns: 30 },
    );
  });
});
