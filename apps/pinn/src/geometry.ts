/**
 * Collocation points on the unit disk (and the time interval [0, 1]):
 * seeded, reproducible sampling of the interior, the boundary circle and the
 * initial slice, plus the training targets from a PDE instance.
 */
import type { Random } from '@sublora/tensor';
import type { PdeDefinition, PdeInstance } from './pdes';

/** Row-major points: `count` rows of `dim` coordinates `(x, y)` or `(x, y, t)`. */
export interface Points {
  readonly data: Float64Array;
  readonly count: number;
  readonly dim: 2 | 3;
}

/** Reads coordinate `k` (0 = x, 1 = y, 2 = t) of row `i`. */
export function coordinate(p: Points, i: number, k: number): number {
  return p.data[i * p.dim + k];
}

/**
 * Uniform points in the open unit disk: rho = sqrt(U) makes the area density
 * uniform (DeepXDE's `Disk.random_points` does the same). U is drawn in (0, 1],
 * so rho = 0 (where the lambda1 = 2 source is singular) never occurs.
 */
export function sampleDisk(count: number, rng: Random, time: 'uniform' | 'zero' | 'none'): Points {
  const dim = time === 'none' ? 2 : 3;
  const data = new Float64Array(count * dim);
  for (let i = 0; i < count; i++) {
    const rho = Math.sqrt(1 - rng.uniform());
    const theta = 2 * Math.PI * rng.uniform();
    data[i * dim] = rho * Math.cos(theta);
    data[i * dim + 1] = rho * Math.sin(theta);
    if (dim === 3) data[i * dim + 2] = time === 'uniform' ? rng.uniform() : 0;
  }
  return { data, count, dim };
}

/**
 * Points on the unit circle, with uniform times in [0, 1) when `timed`. Angles
 * are uniform draws, or with `equispaced` the grid theta_i = 2 pi i / count
 * (DeepXDE's `uniform_boundary_points`), which leaves no gap wider than
 * 2 pi / count; the times of a timed problem are drawn either way.
 */
export function sampleCircle(
  count: number,
  rng: Random,
  timed: boolean,
  angles: 'random' | 'equispaced' = 'random',
): Points {
  const dim = timed ? 3 : 2;
  const data = new Float64Array(count * dim);
  for (let i = 0; i < count; i++) {
    const theta = 2 * Math.PI * (angles === 'equispaced' ? i / count : rng.uniform());
    data[i * dim] = Math.cos(theta);
    data[i * dim + 1] = Math.sin(theta);
    if (timed) data[i * dim + 2] = rng.uniform();
  }
  return { data, count, dim };
}

/** Point counts per loss term. `initial` is ignored by the elliptic problem. */
export interface PointCounts {
  readonly interior: number;
  readonly boundary: number;
  readonly initial: number;
  /** How boundary angles are placed (default `random`); see {@link sampleCircle}. */
  readonly boundarySampling?: 'random' | 'equispaced';
}

/** One supervised term of the loss: where, which quantity, and its target. */
export interface Term {
  /** Name used in logs and metrics, e.g. `boundary`, `initial.u`, `initial.ut`. */
  readonly name: string;
  readonly points: Points;
  /** The network quantity compared with the target. */
  readonly field: 'u' | 'ut';
  readonly target: Float64Array;
}

/** Interior points with the source values, and the boundary/initial terms. */
export interface Collocation {
  readonly interior: Points;
  /** g at the interior points. */
  readonly source: Float64Array;
  /** Boundary term, then one term per initial condition. */
  readonly terms: readonly Term[];
}

function evaluateAt(points: Points, f: (x: number, y: number, t?: number) => number): Float64Array {
  const out = new Float64Array(points.count);
  for (let i = 0; i < points.count; i++) {
    out[i] = f(
      coordinate(points, i, 0),
      coordinate(points, i, 1),
      points.dim === 3 ? coordinate(points, i, 2) : undefined,
    );
  }
  return out;
}

/**
 * Samples collocation points for one PDE instance. The interior, boundary and
 * initial points are drawn in that order from `rng`, so a seed fixes all of
 * them; the initial conditions share one set of points on the slice t = 0.
 */
export function sampleCollocation(
  def: PdeDefinition,
  inst: PdeInstance,
  counts: PointCounts,
  rng: Random,
): Collocation {
  const interior = sampleDisk(counts.interior, rng, def.timeDependent ? 'uniform' : 'none');
  const boundaryPoints = sampleCircle(
    counts.boundary,
    rng,
    def.timeDependent,
    counts.boundarySampling ?? 'random',
  );
  const terms: Term[] = [
    {
      name: 'boundary',
      points: boundaryPoints,
      field: 'u',
      target: evaluateAt(boundaryPoints, inst.boundary),
    },
  ];
  if (def.timeDependent && inst.initial.length > 0) {
    const initialPoints = sampleDisk(counts.initial, rng, 'zero');
    for (const condition of inst.initial) {
      terms.push({
        name: `initial.${condition.field}`,
        points: initialPoints,
        field: condition.field,
        target: evaluateAt(initialPoints, (x, y) => condition.value(x, y)),
      });
    }
  }
  return { interior, source: evaluateAt(interior, inst.source), terms };
}

/**
 * The held-out evaluation grid: a Cartesian `resolution x resolution` grid on
 * [-1, 1]^2 restricted to the closed disk, times `timeSteps` equally spaced
 * times in [0, 1] for time-dependent problems. Deterministic, and disjoint in
 * distribution from the random collocation points.
 */
export function evaluationGrid(def: PdeDefinition, resolution: number, timeSteps: number): Points {
  const spatial: number[] = [];
  for (let i = 0; i < resolution; i++) {
    for (let j = 0; j < resolution; j++) {
      const x = -1 + (2 * i) / (resolution - 1);
      const y = -1 + (2 * j) / (resolution - 1);
      if (x * x + y * y <= 1 + 1e-12) spatial.push(x, y);
    }
  }
  const cells = spatial.length / 2;
  if (!def.timeDependent) return { data: Float64Array.from(spatial), count: cells, dim: 2 };
  const data = new Float64Array(cells * timeSteps * 3);
  let k = 0;
  for (let s = 0; s < timeSteps; s++) {
    const t = timeSteps === 1 ? 1 : s / (timeSteps - 1);
    for (let c = 0; c < cells; c++) {
      data[k++] = spatial[2 * c];
      data[k++] = spatial[2 * c + 1];
      data[k++] = t;
    }
  }
  return { data, count: cells * timeSteps, dim: 3 };
}

/** The exact solution on a set of points. */
export function exactOn(inst: PdeInstance, points: Points): Float64Array {
  return evaluateAt(points, inst.exact);
}

/**
 * Relative L2 error sqrt(sum (p - u)^2 / sum u^2), the paper's metric.
 * Throws when the reference is identically zero (the ratio is undefined).
 */
export function relativeL2Error(predicted: ArrayLike<number>, exact: ArrayLike<number>): number {
  if (predicted.length !== exact.length) {
    throw new Error(
      `predicted: has ${predicted.length} values but the reference has ${exact.length}`,
    );
  }
  let num = 0;
  let den = 0;
  for (let i = 0; i < exact.length; i++) {
    const d = predicted[i] - exact[i];
    num += d * d;
    den += exact[i] * exact[i];
  }
  if (den === 0)
    throw new Error(
      'exact: the reference solution is zero on the grid; the relative error is undefined',
    );
  return Math.sqrt(num / den);
}
