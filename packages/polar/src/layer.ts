/**
 * A PoLAR layer: `W = W0 + (alpha / r) X Theta Y^T` with `X` (`out x r`) and
 * `Y` (`in x r`) kept near the Stiefel manifold (orthonormal columns) and a
 * free `Theta`, full (`r x r`) or diagonal (`r` entries). Directions and
 * scale are separate, so the update's stable rank is not tied to how the
 * optimizer scales two unconstrained factors (PoLAR, arXiv 2506.03133).
 *
 * Initialisation: `X`, `Y` from the thin QR of a seeded Gaussian, `Theta = 0`,
 * so the adapted network starts equal to the pretrained one.
 */
import { type Value, add, matmul, mul, reshape } from '@sublora/autodiff';
import { matrix, qr } from '@sublora/linalg';
import {
  type MlpShape,
  type ParamValues,
  type TracedLinear,
  denseLinear,
  layerNames,
  layerSizes,
} from '@sublora/nn';
import { InputError, type Random } from '@sublora/tensor';

/** Which layers get PoLAR, with what rank, scale and `Theta` form. */
export interface PolarShape {
  /** Indices of adapted layers (weights `W<l>`). */
  readonly layers: readonly number[];
  /** Rank `r` of every adapted layer. */
  readonly rank: number;
  /** The update is `(alpha / r) X Theta Y^T` (the authors' LoRA-style scaling). */
  readonly alpha: number;
  /** `full`: `Theta` is `r x r`; `diagonal`: `r` entries. */
  readonly theta: 'full' | 'diagonal';
}

/** Parameter names of adapted layer `l`. */
export function polarNames(l: number): { x: string; y: string; theta: string } {
  return { x: `polar.X${l}`, y: `polar.Y${l}`, theta: `polar.Theta${l}` };
}

/** Checks a shape against the MLP; one-line errors naming the key. */
export function checkPolarShape(mlp: MlpShape, shape: PolarShape): void {
  const sizes = layerSizes(mlp);
  if (!Number.isInteger(shape.rank) || shape.rank < 1)
    throw new InputError('polar.rank', `${shape.rank} is not an integer >= 1`);
  if (!(Number.isFinite(shape.alpha) && shape.alpha > 0))
    throw new InputError('polar.alpha', `${shape.alpha} is not a finite number > 0`);
  if (shape.theta !== 'full' && shape.theta !== 'diagonal')
    throw new InputError('polar.theta', `'${String(shape.theta)}' is not 'full' or 'diagonal'`);
  if (new Set(shape.layers).size !== shape.layers.length)
    throw new InputError(
      'polar.layers',
      `${shape.layers.join(', ')} names a layer twice; list each adapted layer once`,
    );
  for (const l of shape.layers) {
    const size = sizes[l];
    if (size === undefined)
      throw new InputError(
        'polar.layers',
        `layer ${l} does not exist (the MLP has layers 0..${sizes.length - 1})`,
      );
    if (shape.rank > Math.min(size[0], size[1]))
      throw new InputError(
        'polar.rank',
        `${shape.rank} exceeds layer ${l}'s ${size[0]} x ${size[1]}; use at most ${Math.min(size[0], size[1])}`,
      );
  }
}

/** An `n x r` matrix with orthonormal columns: Q of the thin QR of a Gaussian. */
function randomStiefel(n: number, r: number, rng: Random): Float64Array {
  const g = matrix(
    n,
    r,
    Array.from({ length: n * r }, () => rng.normal()),
  );
  return qr(g).q.data;
}

/** Fresh PoLAR parameters (see the module comment). */
export function initPolar(mlp: MlpShape, shape: PolarShape, rng: Random): ParamValues {
  checkPolarShape(mlp, shape);
  const sizes = layerSizes(mlp);
  const r = shape.rank;
  const params: ParamValues = {};
  for (const l of shape.layers) {
    const [out, inn] = sizes[l];
    const names = polarNames(l);
    params[names.x] = { shape: [out, r], data: randomStiefel(out, r, rng) };
    params[names.y] = { shape: [inn, r], data: randomStiefel(inn, r, rng) };
    params[names.theta] =
      shape.theta === 'full'
        ? { shape: [r, r], data: new Float64Array(r * r) }
        : { shape: [r], data: new Float64Array(r) };
  }
  return params;
}

/**
 * A traced PoLAR layer: `h W0^T + (alpha / r) ((h Y) Theta^T) X^T`, never
 * forming the `out x in` update.
 */
export function polarLinear(
  w0: Value,
  bias: Value,
  x: Value,
  theta: Value,
  y: Value,
  scale: number,
): TracedLinear {
  const r = x.shape[1];
  return {
    apply: (h) => {
      const hy = matmul(h, y);
      const mixed =
        theta.shape.length === 2
          ? matmul(hy, theta, { transposeB: true })
          : mul(hy, reshape(theta, [1, r]));
      return add(
        matmul(h, w0, { transposeB: true }),
        mul(matmul(mixed, x, { transposeB: true }), scale),
      );
    },
    bias,
  };
}

/** The traced layers of an MLP whose `shape.layers` carry PoLAR adapters. */
export function polarLayers(
  mlp: MlpShape,
  shape: PolarShape,
  values: Readonly<Record<string, Value>>,
): TracedLinear[] {
  return layerSizes(mlp).map((_, l) => {
    const { weight, bias } = layerNames(l);
    if (!shape.layers.includes(l)) return denseLinear(values[weight], values[bias]);
    const n = polarNames(l);
    return polarLinear(
      values[weight],
      values[bias],
      values[n.x],
      values[n.theta],
      values[n.y],
      shape.alpha / shape.rank,
    );
  });
}
