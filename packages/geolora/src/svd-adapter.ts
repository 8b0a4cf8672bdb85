/**
 * SubLoRA on GeoLoRA. After every GeoLoRA step `S` is diagonal with the
 * singular values of the update, so the view is the factors themselves:
 * `u = U` (`[out, r]`), `sigma = diag(S)`, `v = V^T` (`[r, in]`), at each
 * layer's current rank. Between augmentations with Adam on `S` it is not
 * diagonal; then the view rotates by the small SVD `S = P Sigma Q^T`
 * (`u = U P`, `sigma = Sigma`, `v = (V Q)^T`), and `prune` writes the rotated
 * factors. Pruning zeroes the dropped singular values (a mask) and leaves the
 * ranks as they are; the next truncation removes zero directions.
 */
import { type Matrix, matmul, svd, transpose } from '@sublora/linalg';
import { type SvdAdapter, type SvdView, cloneParams } from '@sublora/nn';
import { InputError } from '@sublora/tensor';
import { type GeoloraState, embed, geoloraNames, leadingBlock } from './layer';

interface LayerView {
  readonly u: Matrix;
  readonly sigma: Float64Array;
  readonly v: Matrix;
}

function isNonNegativeDiagonal(s: Matrix): boolean {
  return s.data.every((x, k) => (Math.floor(k / s.cols) === k % s.cols ? x >= 0 : x === 0));
}

/** Layer `i`'s update as `u diag(sigma) v^T` (`u`: out x r, `v`: in x r). */
function layerView(state: GeoloraState, i: number): LayerView {
  const { rmax } = state.config;
  const names = geoloraNames(state.config.layers[i]);
  const r = state.ranks[i];
  const [out, inn] = state.sizes[i];
  const u = leadingBlock(state.params[names.u].data, rmax, out, r);
  const s = leadingBlock(state.params[names.s].data, rmax, r, r);
  const v = leadingBlock(state.params[names.v].data, rmax, inn, r);
  if (isNonNegativeDiagonal(s))
    return { u, sigma: Float64Array.from({ length: r }, (_, j) => s.data[j * r + j]), v };
  const f = svd(s);
  return { u: matmul(u, f.u), sigma: f.s, v: matmul(v, f.v) };
}

/** The `geolora` adapter of `@sublora/nn`'s rank-determination interface. */
export const geoloraSvdAdapter: SvdAdapter<GeoloraState> = {
  name: 'geolora',
  svdView: (state): SvdView[] =>
    state.config.layers.map((layer, i) => {
      const { u, sigma, v } = layerView(state, i);
      return {
        layer,
        u: { shape: [u.rows, u.cols], data: u.data },
        sigma,
        v: { shape: [v.cols, v.rows], data: transpose(v).data },
      };
    }),
  prune: (state, keep) => {
    const total = state.ranks.reduce((a, b) => a + b, 0);
    if (keep.length !== total)
      throw new InputError(
        'keep',
        `has ${keep.length} entries; the view has ${total} singular values`,
      );
    const { rmax } = state.config;
    const params = cloneParams(state.params);
    let offset = 0;
    state.config.layers.forEach((l, i) => {
      const names = geoloraNames(l);
      const { u, sigma, v } = layerView(state, i);
      const r = sigma.length;
      const s = new Float64Array(rmax * rmax);
      for (let j = 0; j < r; j++) s[j * rmax + j] = keep[offset + j] ? sigma[j] : 0;
      params[names.u].data.set(embed(u, u.rows, rmax));
      params[names.s].data.set(s);
      params[names.v].data.set(embed(v, v.rows, rmax));
      offset += r;
    });
    return {
      ...state,
      params,
      ranks: [...state.ranks],
      adam: state.adam && {
        t: state.adam.t,
        m: state.adam.m.map((x) => Float64Array.from(x)),
        v: state.adam.v.map((x) => Float64Array.from(x)),
      },
    };
  },
};
