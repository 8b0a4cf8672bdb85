/**
 * LoRA in SVD form (AdaLoRA's parameterisation, the SubLoRA paper's):
 * `W0 + U diag(sigma) V` on the hidden-to-hidden layers, trained by Adam.
 */
import { matrix, orthogonalityError, transpose } from '@sublora/linalg';
import {
  type LoraShape,
  type ParamValues,
  SIGMA,
  hiddenToHidden,
  initLora,
  loraNames,
  loraSvdAdapter,
  sigmaRange,
} from '@sublora/nn';
import { stableRank, thetaMatrix } from '@sublora/polar';
import type { PinnConfig } from '../config';
import { adam } from '../optimizer';
import type { PinnAdapter } from './types';

/** The LoRA shape of a configuration: rank `network.rank` on every hidden-to-hidden layer. */
export function loraShape(config: PinnConfig): LoraShape {
  return {
    layers: hiddenToHidden({
      inputDim: 2,
      width: config.network.width,
      depth: config.network.depth,
    }),
    rank: config.network.rank,
  };
}

/**
 * Per adapted layer: the stable rank `||dW||_F^2 / ||dW||_2^2` of
 * `dW = U diag(sigma) V` (0 while sigma is 0), and the larger of
 * `||U^T U - I||_F`, `||V V^T - I||_F` (how far the view is from an SVD).
 */
export function loraDiagnostics(
  lora: LoraShape,
  params: ParamValues,
): { stableRank: number[]; orthogonality: number[] } {
  const stable: number[] = [];
  const orthogonality: number[] = [];
  for (const l of lora.layers) {
    const names = loraNames(l);
    const u = params[names.u];
    const v = params[names.v];
    const x = matrix(u.shape[0], u.shape[1], u.data);
    const y = transpose(matrix(v.shape[0], v.shape[1], v.data));
    const { start, end } = sigmaRange(lora, l);
    const theta = thetaMatrix(params[SIGMA].data.slice(start, end), lora.rank);
    stable.push(stableRank(x, theta, y, 1));
    orthogonality.push(Math.max(orthogonalityError(x), orthogonalityError(y)));
  }
  return { stableRank: stable, orthogonality };
}

/** The `lora-svd` adapter. */
export const loraSvd: PinnAdapter = {
  name: 'lora-svd',
  network: (config, shape) => ({ shape, lora: loraShape(config) }),
  init: (config, net, rng) =>
    initLora(net.shape, net.lora as LoraShape, rng, config.network.loraInitScale),
  optimizer: () => adam,
  svd: (_config, net) => loraSvdAdapter(net.lora as LoraShape),
  diagnostics: (_config, net, params) => loraDiagnostics(net.lora as LoraShape, params),
};
