/**
 * The same elliptic-PINN loss as `pinn-loss.ts`, built the way the PINN app
 * builds it: `@sublora/nn`'s LoRA-SVD layers and its Taylor-mode
 * `mlpWithInputDerivatives` (u, du/dx_k and d2u/dx_k^2 carried forward
 * through the MLP in one pass) instead of nested jvp `laplacian`/`partial`.
 * Weights are fixed pseudo-random constants; inputs are
 * `(sigma [2k], interior [Ni, 2], boundary [Nb, 2])`.
 */
import {
  add,
  constant,
  mean,
  mul,
  neg,
  reshape,
  slice,
  spec,
  square,
  sub,
  trace,
  type Graph,
  type Value,
} from '@sublora/autodiff';
import {
  denseLinear,
  loraLinear,
  mlpForward,
  mlpWithInputDerivatives,
  type TracedLinear,
} from '@sublora/nn';
import { pinnLoss, randoms, type PinnSize } from './pinn-loss';

/** The four layers of the 2 -> w -> w -> w -> 1 MLP, LoRA on layers 1 and 2 (weights `[out, in]`). */
function layers(size: PinnSize, sigma: Value): TracedLinear[] {
  const { width: w, rank: k } = size;
  let seed = 101;
  const mat = (rows: number, cols: number, scale: number) =>
    constant(randoms(seed++, rows * cols, -scale, scale), [rows, cols]);
  const bias = (n: number) => constant(randoms(seed++, n, -0.1, 0.1), [n]);
  const adapted = (l: number) =>
    loraLinear(
      mat(w, w, 1.5 / Math.sqrt(w)),
      bias(w),
      mat(w, k, 1 / Math.sqrt(k)),
      reshape(slice(sigma, [l * k], [k]), [1, k]),
      mat(k, w, 1 / Math.sqrt(w)),
    );
  return [
    denseLinear(mat(w, 2, 1), bias(w)),
    adapted(0),
    adapted(1),
    denseLinear(mat(1, w, 1 / Math.sqrt(w)), bias(1)),
  ];
}

/**
 * `mean(-(1 + |x|^2/2) lap u - x . grad u + |grad u|^2 - g)^2 + mean(u - h)^2`,
 * with u, grad u and lap u from one Taylor-mode pass: lap u as the sum of
 * u_xx and u_yy carried separately (`laplacian: 'per-column'`, five row
 * blocks per layer) or as one stream (`'forward'`, four).
 */
export function pinnLossTaylor(
  size: PinnSize,
  laplacian: 'per-column' | 'forward' = 'per-column',
): Graph {
  const { interior: Ni, boundary: Nb, rank: k } = size;
  return trace(
    [spec('sigma', [2 * k]), spec('interior', [Ni, 2]), spec('boundary', [Nb, 2])],
    (sigma, xi, xb) => {
      const net = layers(size, sigma);
      const d = mlpWithInputDerivatives(
        net,
        xi,
        laplacian === 'forward' ? { laplacian: [0, 1] } : { first: [0, 1], second: [0, 1] },
      );
      const gx = d.first.get(0) as Value;
      const gy = d.first.get(1) as Value;
      const l =
        laplacian === 'forward'
          ? (d.laplacian as Value)
          : add(d.second.get(0) as Value, d.second.get(1) as Value);
      const x0 = slice(xi, [0, 0], [Ni, 1]);
      const x1 = slice(xi, [0, 1], [Ni, 1]);
      const a = add(1, mul(add(square(x0), square(x1)), 0.5));
      const residual = add(
        sub(neg(mul(a, l)), add(mul(x0, gx), mul(x1, gy))),
        sub(add(square(gx), square(gy)), constant(randoms(50, Ni), [Ni, 1])),
      );
      const bres = sub(mlpForward(net, xb), constant(randoms(51, Nb, -0.2, 0.2), [Nb, 1]));
      return add(mean(square(residual)), mean(square(bres)));
    },
  );
}

/**
 * The benchmark loss built three ways: `nested-jvp` (`pinn-loss.ts`),
 * `taylor-nn` (this file, per-column second derivatives) and `taylor-lap`
 * (this file, forward Laplacian).
 */
export const PINN_LOSSES: readonly {
  readonly name: string;
  readonly build: (size: PinnSize) => Graph;
}[] = [
  { name: 'nested-jvp', build: pinnLoss },
  { name: 'taylor-nn', build: (size) => pinnLossTaylor(size) },
  { name: 'taylor-lap', build: (size) => pinnLossTaylor(size, 'forward') },
];
