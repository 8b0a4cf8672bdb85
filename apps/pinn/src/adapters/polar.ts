/**
 * PoLAR (`@sublora/polar`): `W0 + (alpha / r) X Theta Y^T` on the
 * hidden-to-hidden layers, `X`, `Y` moved by the landing field (or a
 * Riemannian step and QR retraction) and Adam, `Theta` by Adam. Rank
 * determination sees it through `polarSvdAdapter` (`Theta = P Sigma Q^T`).
 */
import { matrix } from '@sublora/linalg';
import { type ParamValues, hiddenToHidden } from '@sublora/nn';
import {
  type PolarShape,
  createPolarState,
  initPolar,
  orthogonalityErrors,
  polarLayers,
  polarNames,
  polarStep,
  polarSvdAdapter,
  stableRank,
  thetaMatrix,
} from '@sublora/polar';
import type { PinnConfig } from '../config';
import type { NetworkSpec } from '../model';
import type { Optimizer } from '../optimizer';
import type { PinnAdapter } from './types';

/** The PoLAR shape of a configuration: `polar.*` on every hidden-to-hidden layer. */
export function polarShape(config: PinnConfig): PolarShape {
  const { rank, alpha, theta } = config.polar;
  return {
    layers: hiddenToHidden({
      inputDim: 2,
      width: config.network.width,
      depth: config.network.depth,
    }),
    rank,
    alpha,
    theta,
  };
}

/** PoLAR's training rule; its state is Adam's moments (`adam.m`, `adam.v`), as LoRA-SVD's. */
function polarOptimizer(config: PinnConfig): Optimizer {
  const shape = polarShape(config);
  const options = { step: config.polar.step, lambda: config.polar.lambda } as const;
  return {
    name: `polar-${config.polar.step}`,
    init: (params) => {
      const { adam } = createPolarState(params, shape);
      return { t: adam.t, slots: { 'adam.m': adam.m, 'adam.v': adam.v } };
    },
    step: (state, params, grads, lr) => {
      const adam = { t: state.t, m: state.slots['adam.m'], v: state.slots['adam.v'] };
      polarStep({ adam }, params, grads, lr, shape, options);
      state.t = adam.t;
    },
  };
}

function factor(params: ParamValues, name: string) {
  const p = params[name];
  return matrix(p.shape[0], p.shape[1], p.data);
}

/**
 * Per adapted layer (in `polar.layers` order): the update's stable rank
 * `||dW||_F^2 / ||dW||_2^2` and the larger of `||X^T X - I||_F`, `||Y^T Y - I||_F`.
 */
export function polarDiagnostics(
  shape: PolarShape,
  params: ParamValues,
): { stableRank: number[]; orthogonality: number[] } {
  const stable: number[] = [];
  const orthogonality: number[] = [];
  for (const l of shape.layers) {
    const n = polarNames(l);
    const x = factor(params, n.x);
    const y = factor(params, n.y);
    const theta = thetaMatrix(params[n.theta].data, shape.rank);
    stable.push(stableRank(x, theta, y, shape.alpha / shape.rank));
    const e = orthogonalityErrors(x, y);
    orthogonality.push(Math.max(e.x, e.y));
  }
  return { stableRank: stable, orthogonality };
}

/** The `polar` adapter. */
export const polar: PinnAdapter = {
  name: 'polar',
  network: (config, shape): NetworkSpec => {
    const polarAt = polarShape(config);
    return { shape, layers: (values) => polarLayers(shape, polarAt, values) };
  },
  init: (config, net, rng) => initPolar(net.shape, polarShape(config), rng),
  optimizer: polarOptimizer,
  svd: (config) => polarSvdAdapter(polarShape(config)),
  diagnostics: (config, _net, params) => polarDiagnostics(polarShape(config), params),
};
