/**
 * SubLoRA on PoLAR: with the small SVD `Theta = P Sigma Q^T`, the update
 * `s X Theta Y^T = (X P) (s Sigma) (Y Q)^T` is in SVD form (exactly when `X`,
 * `Y` are orthonormal), so rank determination sees `u = X P`,
 * `sigma = s Sigma`, `v = (Y Q)^T`. Pruning writes `X <- X P`, `Y <- Y Q` and a
 * diagonal `Theta = Sigma * keep`: the rotation leaves the network unchanged,
 * the mask zeroes the dropped singular values.
 */
import { type Matrix, matmul, matrix, svd, transpose } from '@sublora/linalg';
import { type ParamValues, type SvdAdapter, type SvdView, cloneParams } from '@sublora/nn';
import { InputError } from '@sublora/tensor';
import { thetaMatrix } from './diagnostics';
import { type PolarShape, polarNames } from './layer';

function factor(params: ParamValues, name: string): Matrix {
  const p = params[name];
  return matrix(p.shape[0], p.shape[1], p.data);
}

/** The rotated factors and singular values of one layer. */
function rotated(params: ParamValues, shape: PolarShape, l: number) {
  const n = polarNames(l);
  const r = shape.rank;
  const { u: p, s, v: q } = svd(thetaMatrix(params[n.theta].data, r));
  return { xp: matmul(factor(params, n.x), p), yq: matmul(factor(params, n.y), q), s };
}

/** The `polar` adapter of `@sublora/nn`'s rank-determination interface. */
export function polarSvdAdapter(shape: PolarShape): SvdAdapter<ParamValues> {
  const scale = shape.alpha / shape.rank;
  return {
    name: 'polar',
    svdView: (params): SvdView[] =>
      shape.layers.map((l) => {
        const { xp, yq, s } = rotated(params, shape, l);
        return {
          layer: l,
          u: { shape: [xp.rows, xp.cols], data: xp.data },
          sigma: s.map((v) => v * scale),
          v: { shape: [yq.cols, yq.rows], data: transpose(yq).data },
        };
      }),
    prune: (params, keep) => {
      const r = shape.rank;
      if (keep.length !== r * shape.layers.length)
        throw new InputError(
          'keep',
          `has ${keep.length} entries; the view has ${r * shape.layers.length} singular values`,
        );
      const out = cloneParams(params);
      shape.layers.forEach((l, k) => {
        const n = polarNames(l);
        const { xp, yq, s } = rotated(params, shape, l);
        out[n.x] = { shape: [xp.rows, xp.cols], data: xp.data };
        out[n.y] = { shape: [yq.rows, yq.cols], data: yq.data };
        const kept = s.map((v, i) => (keep[k * r + i] ? v : 0));
        out[n.theta] =
          shape.theta === 'full'
            ? { shape: [r, r], data: thetaMatrix(kept, r).data }
            : { shape: [r], data: kept };
      });
      return out;
    },
  };
}
