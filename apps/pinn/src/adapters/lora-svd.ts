/**
 * LoRA in SVD form (AdaLoRA's parameterisation, the SubLoRA paper's):
 * `W0 + U diag(sigma) V` on the hidden-to-hidden layers, trained by Adam.
 */
import { type LoraShape, hiddenToHidden, initLora, loraSvdAdapter } from '@sublora/nn';
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

/** The `lora-svd` adapter. */
export const loraSvd: PinnAdapter = {
  name: 'lora-svd',
  network: (config, shape) => ({ shape, lora: loraShape(config) }),
  init: (config, net, rng) =>
    initLora(net.shape, net.lora as LoraShape, rng, config.network.loraInitScale),
  optimizer: () => adam,
  svd: (_config, net) => loraSvdAdapter(net.lora as LoraShape),
};
