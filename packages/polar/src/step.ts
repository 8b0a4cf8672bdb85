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

/** `grads[name]`, refused unless it has the parameter's size and finite entries. */
function checkedGradient(
  params: ParamValues,
  grads: Readonly<Record<string, ArrayLike<number>>>,
  name: string,
): ArrayLike<number> {
  const g = grads[name];
  const size = params[name].data.length;
  if (g === undefined || g.length !== size)
    throw new InputError(
      `gradient ${name}`,
      `has ${g?.length ?? 'no'} entries, the parameter ${size}; pass the loss gradient of every PoLAR parameter`,
    );
  for (let i = 0; i < g.length; i++)
    if (!Number.isFinite(g[i]))
      throw new InputError(
        `gradient ${name}`,
        `entry ${i} is ${g[i]}; lower the learning rate or check the loss`,
      );
  return g;
}

function checkOptions(lr: number, options: PolarStepOptions): Required<PolarStepOptions> {
  const { step = 'landing', lambda = 1, optimizer = 'adam' } = options;
  if (!(Number.isFinite(lr) && lr > 0))
    throw new InputError('lr', `${lr} is not a finite number > 0`);
  if (step !== 'landing' && step !== 'retraction')
    throw new InputError('polar.step', `'${String(step)}' is not 'landing' or 'retraction'`);
  if (optimizer !== 'adam' && optimizer !== 'sgd')
    throw new InputError('polar.optimizer', `'${String(optimizer)}' is not 'adam' or 'sgd'`);
  if (!(Number.isFinite(lambda) && lambda >= 0))
    throw new InputError('polar.lambda', `${lambda} is not a finite number >= 0`);
  return { step, lambda, optimizer };
}

/**
 * One step, updating `params` and `state` in place. Every input is checked
 * before anything is written, so a refused step leaves both as they were.
 *
 * @throws InputError for a bad `lr` or option, a missing, mis-sized or
 *   non-finite gradient, a non-finite parameter, a step direction that
 *   overflows, or a `state` made for another shape
 */
export function polarStep(
  state: PolarState,
  params: ParamValues,
  grads: Readonly<Record<string, ArrayLike<number>>>,
  lr: number,
  shape: PolarShape,
  options: PolarStepOptions = {},
): void {
  const { step, lambda, optimizer } = checkOptions(lr, options);
  const names = shape.layers.flatMap((l) => {
    const n = polarNames(l);
    return [n.x, n.y, n.theta];
  });
  for (const name of names) {
    const p = params[name];
    if (p === undefined) throw new InputError(name, 'is missing from params; initPolar makes it');
    const bad = p.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0)
      throw new InputError(
        name,
        `entry ${bad} is ${p.data[bad]}; restore the parameters from a checkpoint`,
      );
  }
  const gradients = new Map(names.map((name) => [name, checkedGradient(params, grads, name)]));
  // directions for the optimizer; factors a retraction moves get their new values instead
  const directions: Record<string, Float64Array> = {};
  const retracted = new Map<string, Float64Array>();
  for (const l of shape.layers) {
    const n = polarNames(l);
    directions[n.theta] = Float64Array.from(gradients.get(n.theta) as ArrayLike<number>);
    for (const name of [n.x, n.y]) {
      const x = asMatrix(params, name);
      const { shape: s } = params[name];
      const g = matrix(s[0], s[1], gradients.get(name) as ArrayLike<number>);
      if (step === 'landing') directions[name] = landingField(x, g, lambda).data;
      else retracted.set(name, qrRetraction(x, riemannianGradient(x, g), lr).data);
    }
  }
  const stepped = Object.keys(directions);
  for (const name of stepped) {
    if (!directions[name].every(Number.isFinite))
      throw new InputError(
        `gradient ${name}`,
        'gives a non-finite step direction (overflow); rescale the loss or restore the parameters from a checkpoint',
      );
    if (
      optimizer === 'adam' &&
      (state.adam.m[name] === undefined || state.adam.v[name] === undefined)
    )
      throw new InputError(
        'state',
        `has no Adam moments for ${name}; create it with createPolarState(params, shape) for this shape`,
      );
  }
  for (const [name, data] of retracted) params[name].data.set(data);
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
