/** Test helpers: evaluation on the reference backend and central finite differences. */
import { referenceBackend, seedXoshiro128, sizeOf } from '@sublora/tensor';
import { evaluateToArrays } from './evaluate';
import type { Graph } from './ir/types';

/** Evaluates `g` in float64 on the reference backend; returns plain arrays. */
export async function run(g: Graph, inputs: readonly (readonly number[])[]): Promise<number[][]> {
  const outs = await evaluateToArrays(
    g,
    referenceBackend,
    inputs.map((x) => Float64Array.from(x)),
  );
  return outs.map((o) => Array.from(o));
}

/** Central difference of output `out` of `g` w.r.t. input `wrt` along direction `v` (all output entries). */
export async function fdDirectional(
  g: Graph,
  inputs: readonly (readonly number[])[],
  wrt: number,
  v: readonly number[],
  out = 0,
  h = 1e-5,
): Promise<number[]> {
  const shift = (s: number) =>
    inputs.map((x, i) => (i === wrt ? x.map((xi, k) => xi + s * h * v[k]) : x));
  const [plus, minus] = [await run(g, shift(1)), await run(g, shift(-1))];
  return plus[out].map((p, k) => (p - minus[out][k]) / (2 * h));
}

/** Central-difference gradient of the scalar output 0 w.r.t. input `wrt`. */
export async function fdGradient(
  g: Graph,
  inputs: readonly (readonly number[])[],
  wrt: number,
  h = 1e-5,
): Promise<number[]> {
  const n = sizeOf(g.inputs[wrt].shape);
  const grad: number[] = [];
  for (let k = 0; k < n; k++) {
    const e = new Array<number>(n).fill(0);
    e[k] = 1;
    grad.push((await fdDirectional(g, inputs, wrt, e, 0, h))[0]);
  }
  return grad;
}

/** max |a - b| / max(1, max |b|). */
export function relError(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let err = 0,
    scale = 1;
  for (let i = 0; i < a.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return err / scale;
}

/** Deterministic pseudo-random numbers in [lo, hi), from the workspace's one generator core. */
export function randoms(seed: number, n: number, lo = -1, hi = 1): number[] {
  const { uint32 } = seedXoshiro128(seed);
  return Array.from({ length: n }, () => lo + (uint32() / 4294967296) * (hi - lo));
}
