/**
 * The one interface every adapter family (LoRA-SVD, GeoLoRA, PoLAR) offers
 * rank determination: its update per adapted layer in SVD form, and how to
 * write pruned singular values back. Rank determination never looks inside an
 * adapter; it works on these views, so SubLoRA prunes any of them.
 */
import { type LoraShape, SIGMA, applyKeepMask, loraNames, sigmaRange } from './lora';
import { type HostTensor, type ParamValues, cloneParams } from './params';

/**
 * One adapted layer's update `Delta W = U diag(sigma) V` in the LoRA-SVD
 * layout: `u` is `[out, k]`, `sigma` has `k` entries, `v` is `[k, in]`.
 * For a true SVD view `u` has orthonormal columns and `v` orthonormal rows;
 * LoRA-SVD's own view only approximately has them (AdaLoRA's regulariser).
 */
export interface SvdView {
  /** The adapted layer (weights `W<layer>`). */
  readonly layer: number;
  readonly u: HostTensor;
  readonly sigma: Float64Array;
  readonly v: HostTensor;
}

/** An adapter family's side of rank determination. */
export interface SvdAdapter<P> {
  /** Short name used in logs and reports, e.g. `lora-svd`. */
  readonly name: string;
  /** The update of every adapted layer, in a fixed layer order. */
  svdView(params: P): SvdView[];
  /**
   * Parameters whose update is `U diag(sigma * keep) V` per layer, `keep`
   * holding one 0/1 per singular value, concatenated in `svdView` order.
   * Never mutates `params`. Keeping everything leaves the function unchanged.
   */
  prune(params: P, keep: ArrayLike<number>): P;
}

/** Total number of singular values across the views. */
export function svdViewSize(views: readonly SvdView[]): number {
  return views.reduce((n, view) => n + view.sigma.length, 0);
}

/** LoRA-SVD (AdaLoRA's form): the view is the parameters themselves. */
export function loraSvdAdapter(lora: LoraShape): SvdAdapter<ParamValues> {
  return {
    name: 'lora-svd',
    svdView: (params) =>
      lora.layers.map((layer) => {
        const { u, v } = loraNames(layer);
        const { start, end } = sigmaRange(lora, layer);
        return {
          layer,
          u: params[u],
          sigma: params[SIGMA].data.slice(start, end),
          v: params[v],
        };
      }),
    prune: (params, keep) => {
      const out = cloneParams(params);
      applyKeepMask(out, keep);
      return out;
    },
  };
}
