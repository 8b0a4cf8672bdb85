/**
 * SubLoRA on PoLAR: with thin QRs `X = Qx Rx`, `Y = Qy Ry` and the small SVD
 * of the core `Rx Theta Ry^T = P Sigma Q^T`, the update
 * `s X Theta Y^T = (Qx P) (s Sigma) (Qy Q)^T` is in SVD form whether or not
 * `X`, `Y` are orthonormal (landing steps leave them off the manifold by
 * O(lr)), so rank determination sees `u = Qx P`, `sigma = s Sigma`,
 * `v = (Qy Q)^T`. Pruning writes `X <- Qx P`, `Y <- Qy Q` and a diagonal
 * `Theta = Sigma * keep`: the rotation leaves the network unchanged (to
 * round-off), the mask zeroes the dropped singular values, and the factors
 * come out orthonormal.
 */
import { type Matrix, matmul, matrix, svd, transpose } from '@sublora/linalg';
import { type ParamValues, type SvdAdapter, type SvdView, cloneParams } from '@sublora/nn';
import { InputError } from '@sublora/tensor';
import { qrCore, thetaMatrix } from './diagnostics';
import { type PolarShape, polarNames } from './layer';

function factor(params: ParamValues, name: string): Matrix {
  const p = params[name];
  return matrix(p.shape[0], p.shape[1], p.data);
}

/** The orthonormal factors `Qx P`, `Qy Q` and the singular values `Sigma` of one layer's `X Theta Y^T`. */
function rotated(params: ParamValues, shape: PolarShape, l: number) {
  const n = polarNames(l);
  const theta = thetaMatrix(params[n.theta].data, shape.rank);
  const { qx, core, qy } = qrCore(factor(params, n.x), theta, factor(params, n.y));
  const { u: p, s, v: q } = svd(core);
  return { xp: matmul(qx, p), yq: matmul(qy, q), s };
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
