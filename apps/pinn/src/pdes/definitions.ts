/**
 * The three PDE families of the SubLoRA paper (Sec. 5) on the unit disk, with
 * exact solutions parameterised by lambda. Sources and boundary/initial data
 * are derived by hand from the exact solution (see `radial.ts`) and evaluated
 * in float64; `definitions.test.ts` checks them against central finite
 * differences of the exact solution.
 *
 * Points are rows `(x, y)` for the elliptic problem and `(x, y, t)` for the
 * time-dependent ones (time last), t in [0, 1].
 */
import { type Algebra, type FieldName, type Fields, field } from './operators';
import { type Lambda, spatialProfile } from './radial';

/** PDE family names, as used in configs and on the command line. */
export const PDE_NAMES = ['elliptic', 'allen-cahn', 'hyperbolic'] as const;
/** One of {@link PDE_NAMES}. */
export type PdeName = (typeof PDE_NAMES)[number];

/** An initial condition on the slice t = 0: on u itself or on u_t. */
export interface InitialCondition {
  /** The constrained quantity: `u` or `ut`. */
  readonly field: 'u' | 'ut';
  /** Its prescribed value at (x, y). */
  value(x: number, y: number): number;
}

/** One PDE with a fixed lambda: exact solution and data, all float64. */
export interface PdeInstance {
  readonly lambda: Lambda;
  /** Exact solution u(x, y[, t]). */
  exact(x: number, y: number, t?: number): number;
  /** Right-hand side g such that D[u] = g in the interior. */
  source(x: number, y: number, t?: number): number;
  /** Dirichlet data h on the boundary circle (for all t). */
  boundary(x: number, y: number, t?: number): number;
  /** Initial conditions on t = 0 (none for the elliptic problem). */
  readonly initial: readonly InitialCondition[];
}

/** A PDE family: its operator D, the fields it needs, and its exact solutions. */
export interface PdeDefinition {
  readonly name: PdeName;
  /** One-line statement of the problem, for reports. */
  readonly statement: string;
  /** 2 for (x, y), 3 for (x, y, t). */
  readonly inputDim: 2 | 3;
  readonly timeDependent: boolean;
  /** The derivative fields `operator` reads. */
  readonly requires: readonly FieldName[];
  /** D[u] written over any algebra (numbers for tests, graph nodes for training). */
  operator<T>(alg: Algebra<T>, f: Fields<T>): T;
  /** Exact solution and data for one lambda. */
  at(lambda: Lambda): PdeInstance;
}

function radius(x: number, y: number): number {
  return Math.hypot(x, y);
}

function requireTime(t: number | undefined): number {
  if (t === undefined || !Number.isFinite(t))
    throw new Error('t: this PDE is time-dependent; pass a finite time in [0, 1]');
  return t;
}

/** -div(a grad u) + |grad u|^2 = g with a(x) = 1 + |x|^2 / 2; u = h on the circle. */
export const elliptic: PdeDefinition = {
  name: 'elliptic',
  statement:
    '-div(a grad u) + |grad u|^2 = g on the unit disk, a = 1 + |x|^2/2, u = h on the circle',
  inputDim: 2,
  timeDependent: false,
  requires: ['u', 'ux', 'uy', 'lap'],
  operator<T>(alg: Algebra<T>, f: Fields<T>): T {
    // div(a grad u) = a Laplace u + grad a . grad u, with grad a = x.
    const ux = field(f, 'ux');
    const uy = field(f, 'uy');
    const coefficient = alg.shift(alg.scale(alg.add(alg.mul(f.x, f.x), alg.mul(f.y, f.y)), 0.5), 1);
    const divergence = alg.add(
      alg.mul(coefficient, field(f, 'lap')),
      alg.add(alg.mul(f.x, ux), alg.mul(f.y, uy)),
    );
    return alg.sub(alg.add(alg.mul(ux, ux), alg.mul(uy, uy)), divergence);
  },
  at(lambda) {
    const s = spatialProfile(lambda);
    return {
      lambda,
      exact: (x, y) => s.value(radius(x, y)),
      source: (x, y) => {
        // g = -(a (s'' + s'/rho) + rho s') + s'^2, since x . grad u = rho s'.
        const rho = radius(x, y);
        const slope = s.d1(rho);
        return -((1 + (rho * rho) / 2) * s.laplacian(rho) + rho * slope) + slope * slope;
      },
      boundary: (x, y) => s.value(radius(x, y)),
      initial: [],
    };
  },
};

/** u_t - Laplace u - u^3 + u = g with u = e^-t s(|x|); u = h1 on the circle, u(0) = h2. */
export const allenCahn: PdeDefinition = {
  name: 'allen-cahn',
  statement: 'u_t - Laplace u - u^3 + u = g on [0,1] x unit disk, u = h1 on the circle, u(0) = h2',
  inputDim: 3,
  timeDependent: true,
  requires: ['u', 'lap', 'ut'],
  operator<T>(alg: Algebra<T>, f: Fields<T>): T {
    const cube = alg.mul(alg.mul(f.u, f.u), f.u);
    return alg.add(alg.sub(alg.sub(field(f, 'ut'), field(f, 'lap')), cube), f.u);
  },
  at(lambda) {
    const s = spatialProfile(lambda);
    const exact = (x: number, y: number, t?: number): number =>
      Math.exp(-requireTime(t)) * s.value(radius(x, y));
    return {
      lambda,
      exact,
      source: (x, y, t) => {
        // u_t = -u cancels +u, leaving g = -e^-t Laplace s - u^3.
        const decay = Math.exp(-requireTime(t));
        const rho = radius(x, y);
        const u = decay * s.value(rho);
        return -decay * s.laplacian(rho) - u * u * u;
      },
      boundary: exact,
      initial: [{ field: 'u', value: (x, y) => s.value(radius(x, y)) }],
    };
  },
};

/** The time factor of the hyperbolic solution, tau(t) = e^(t^2) - 1, and its derivatives. */
const growth = {
  value: (t: number): number => Math.exp(t * t) - 1,
  d1: (t: number): number => 2 * t * Math.exp(t * t),
  d2: (t: number): number => (2 + 4 * t * t) * Math.exp(t * t),
};

/** u_tt - Laplace u = g with u = (e^(t^2) - 1) s(|x|); u = h1 on the circle, u(0) = h2, u_t(0) = h3. */
export const hyperbolic: PdeDefinition = {
  name: 'hyperbolic',
  statement:
    'u_tt - Laplace u = g on [0,1] x unit disk, u = h1 on the circle, u(0) = h2, u_t(0) = h3',
  inputDim: 3,
  timeDependent: true,
  requires: ['u', 'lap', 'ut', 'utt'],
  operator<T>(alg: Algebra<T>, f: Fields<T>): T {
    return alg.sub(field(f, 'utt'), field(f, 'lap'));
  },
  at(lambda) {
    const s = spatialProfile(lambda);
    const exact = (x: number, y: number, t?: number): number =>
      growth.value(requireTime(t)) * s.value(radius(x, y));
    return {
      lambda,
      exact,
      source: (x, y, t) => {
        const time = requireTime(t);
        const rho = radius(x, y);
        return growth.d2(time) * s.value(rho) - growth.value(time) * s.laplacian(rho);
      },
      boundary: exact,
      // Both vanish (tau(0) = tau'(0) = 0) but are evaluated, not assumed.
      initial: [
        { field: 'u', value: (x, y) => growth.value(0) * s.value(radius(x, y)) },
        { field: 'ut', value: (x, y) => growth.d1(0) * s.value(radius(x, y)) },
      ],
    };
  },
};

/** All PDE families by name. */
export const PDES: Readonly<Record<PdeName, PdeDefinition>> = {
  elliptic,
  'allen-cahn': allenCahn,
  hyperbolic,
};
