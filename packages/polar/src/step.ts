/**
 * One PoLAR training step on host parameters, from the loss gradients of
 * `X`, `Y` and `Theta` (one backward pass):
 *
 * - `landing` (default, as the authors train): the landing field replaces the
 *   gradient of `X` and `Y`, then the optimizer (Adam by default, or SGD)
 *   steps every parameter; `Theta` takes its plain gradient.
 * - `retraction`: `X`, `Y` take a Riemannian gradient step followed by the QR
 *   retraction (plain steps: Adam's per-entry scaling would leave the tangent
 *   space); `Theta` steps with the optimizer.
 *
 * Defaults: `lambda = 1`, Adam (0.9, 0.999, 1e-8).
 */
import { type Matrix, matrix } from '@sublora/linalg';
import { type AdamState, type ParamValues, adamStep, createAdamState } from '@sublora/nn';
import { InputError } from '@sublora/tensor';
import { type PolarShape, polarNames } from './layer';
import { landingField, qrRetraction, riemannianGradient } from './stiefel';

/** How {@link polarStep} moves the factors. */
export interface PolarStepOptions {
  readonly step?: 'landing' | 'retraction';
  /** Weight of the landing field's pull to the manifold (default 1). */
  readonly lambda?: number;
  readonly optimizer?: 'adam' | 'sgd';
}

/** Optimizer state of every PoLAR parameter (Adam moments; unused by SGD). */
export interface PolarState {
  readonly adam: AdamState;
}

/** Fresh state for the PoLAR parameters of `shape`. */
export function createPolarState(params: ParamValues, shape: PolarShape): PolarState {
  const names = shape.layers.flatMap((l) => Object.values(polarNames(l)));
  return { adam: createAdamState(params, names) };
}

function asMatrix(params: ParamValues, name: string): Matrix {
  const p = params[name];
  return matrix(p.shape[0], p.shape[1], p.data);
}

function gradMatrix(
  params: ParamValues,
  grads: Readonly<Record<string, ArrayLike<number>>>,
  name: string,
): Matrix {
  const g = grads[name];
  if (g === undefined || g.length !== params[name].data.length)
    throw new InputError(
      `gradient ${name}`,
      `has ${g?.length ?? 'no'} entries, the parameter ${params[name].data.length}`,
    );
  for (let i = 0; i < g.length; i++)
    if (!Number.isFinite(g[i]))
      throw new InputError(
        `gradient ${name}`,
        `entry ${i} is ${g[i]}; lower the learning rate or check the loss`,
      );
  return matrix(params[name].shape[0], params[name].shape[1], g);
}

/** One step, updating `params` and `state` in place. */
export function polarStep(
  state: PolarState,
  params: ParamValues,
  grads: Readonly<Record<string, ArrayLike<number>>>,
  lr: number,
  shape: PolarShape,
  options: PolarStepOptions = {},
): void {
  const { step = 'landing', lambda = 1, optimizer = 'adam' } = options;
  if (!(Number.isFinite(lambda) && lambda >= 0))
    throw new InputError('polar.lambda', `${lambda} is not a finite number >= 0`);
  const directions: Record<string, Float64Array> = {};
  for (const l of shape.layers) {
    const n = polarNames(l);
    const theta = grads[n.theta];
    if (theta === undefined) throw new InputError(`gradient ${n.theta}`, 'is missing');
    directions[n.theta] = Float64Array.from(theta);
    for (const name of [n.x, n.y]) {
      const x = asMatrix(params, name);
      const g = gradMatrix(params, grads, name);
      if (step === 'landing') directions[name] = landingField(x, g, lambda).data;
      else params[name].data.set(qrRetraction(x, riemannianGradient(x, g), lr).data);
    }
  }
  // the factors a retraction moved are not stepped again
  const stepped = Object.keys(directions);
  if (optimizer === 'sgd') {
    for (const name of stepped) {
      const p = params[name].data;
      const d = directions[name];
      for (let i = 0; i < p.length; i++) p[i] -= lr * d[i];
    }
    state.adam.t += 1;
    return;
  }
  const moments: AdamState = {
    t: state.adam.t,
    m: Object.fromEntries(stepped.map((k) => [k, state.adam.m[k]])),
    v: Object.fromEntries(stepped.map((k) => [k, state.adam.v[k]])),
  };
  adamStep(moments, params, directions, lr);
  state.adam.t = moments.t;
}
