/**
 * Any adapter as LoRA-SVD: its SVD view (`U diag(sigma) V` per adapted
 * layer) written into `@sublora/nn`'s LoRA layout (`lora.U<l>`, `lora.V<l>`,
 * one `lora.sigma`), over the same frozen base. The network's function is
 * unchanged, and the loss's derivatives w.r.t. `lora.sigma` are those w.r.t.
 * the update's singular values, which rank determination needs.
 */
import { type MlpShape, type ParamValues, type SvdView, SIGMA, loraNames } from '@sublora/nn';
import type { NetworkSpec } from '../model';

/** The LoRA-SVD network and parameters of `views` over `base` (the frozen MLP weights). */
export function loraFromViews(
  shape: MlpShape,
  base: ParamValues,
  views: readonly SvdView[],
): { readonly net: NetworkSpec; readonly params: ParamValues; readonly adapterNames: string[] } {
  const rank = views[0]?.sigma.length ?? 0;
  const uneven = views.find((v) => v.sigma.length !== rank);
  if (uneven)
    throw new Error(
      `loraFromViews: layer ${uneven.layer} has ${uneven.sigma.length} singular values, layer ${views[0].layer} ${rank}; LoRA-SVD needs one rank`,
    );
  const adapter: ParamValues = {};
  for (const view of views) {
    const { u, v } = loraNames(view.layer);
    adapter[u] = { shape: [...view.u.shape], data: Float64Array.from(view.u.data) };
    adapter[v] = { shape: [...view.v.shape], data: Float64Array.from(view.v.data) };
  }
  const sigma = new Float64Array(rank * views.length);
  views.forEach((view, i) => sigma.set(view.sigma, i * rank));
  adapter[SIGMA] = { shape: [sigma.length], data: sigma };
  return {
    net: { shape, lora: { layers: views.map((v) => v.layer), rank } },
    params: { ...base, ...adapter },
    adapterNames: Object.keys(adapter),
  };
}
