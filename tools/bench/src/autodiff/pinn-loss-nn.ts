/**
 * The same elliptic-PINN loss as `pinn-loss.ts`, built the way the PINN app
 * builds it: `@sublora/nn`'s LoRA-SVD layers and its Taylor-mode
 * `mlpWithInputDerivatives` (u, du/dx_k and d2u/dx_k^2 carried forward
 * through the MLP in one pass) instead of nested jvp `laplacian`/`partial`.
 * Weights are `pinn-loss.ts`'s; inputs are
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

/**
 * The four layers of the 2 -> w -> w -> w -> 1 MLP, LoRA on layers 1 and 2,
 * with `pinn-loss.ts`'s weights (same seeds and scales; `@sublora/nn`
 * stores weights `[out, in]`, so each matrix is that file's transposed, and
 * the output layer has no bias there, so a zero one here): the three
 * constructions compute one function, and their Hessians agree to round-off
 * with each other and with the PyTorch peer.
 */
function layers(size: PinnSize, sigma: Value): TracedLinear[] {
  const { width: w, rank: k } = size;
  /** `pinn-loss.ts`'s `[rows, cols]` matrix of `seed`, as `[cols, rows]`. */
  const transposed = (seed: number, rows: number, cols: number, scale: number) => {
    const m = randoms(seed, rows * cols, -scale, scale);
    const t = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = m[i * cols + j];
    return constant(t, [cols, rows]);
  };
  const bias = (seed: number) => constant(randoms(seed, w, -0.1, 0.1), [w]);
  // pinn-loss.ts: h W + ((h U) * s) V + b with W, U, V, b from seeds first .. first + 3
  const adapted = (l: number, first: number) =>
    loraLinear(
      transposed(first, w, w, 1.5 / Math.sqrt(w)),
      bias(first + 3),
      transposed(first + 2, k, w, 1 / Math.sqrt(k)),
      reshape(slice(sigma, [l * k], [k]), [1, k]),
      transposed(first + 1, w, k, 1 / Math.sqrt(w)),
    );
  return [
    denseLinear(transposed(1, 2, w, 1), bias(2)),
    adapted(0, 3),
    adapted(1, 7),
    denseLinear(transposed(11, w, 1, 1 / Math.sqrt(w)), constant([0], [1])),
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
