/** The adapter families fine-tuning can use, by the name `config.adapter` gives. */
import type { AdapterName, PinnConfig } from '../config';
import { geolora } from './geolora';
import { loraSvd } from './lora-svd';
import { polar } from './polar';
import type { PinnAdapter } from './types';

export { type PinnAdapter, type TrainingHooks } from './types';
export { loraShape, loraDiagnostics } from './lora-svd';
export { polarShape, polarDiagnostics } from './polar';
export { geoloraSettings, geoloraDiagnostics, geoloraRanks, padViews } from './geolora';

/** Every registered adapter family. */
export const ADAPTERS: Readonly<Record<AdapterName, PinnAdapter>> = {
  'lora-svd': loraSvd,
  polar,
  geolora,
};

/** The adapter family a configuration fine-tunes with. */
export function adapterOf(config: PinnConfig): PinnAdapter {
  return ADAPTERS[config.adapter];
}
