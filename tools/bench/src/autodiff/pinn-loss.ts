/**
 * The benchmark's loss: an elliptic-PINN-like loss of a tanh MLP
 * 2 -> w -> w -> w -> 1 with LoRA-SVD (rank k) on both hidden-to-hidden
 * layers, as a function of sigma (r = 2k), interior points (Laplacian
 * residual) and boundary points. Weights are fixed pseudo-random constants.
 */
import {
  add,
  call,
  constant,
  laplacian,
  matmul,
  mean,
  mul,
  neg,
  partial,
  slice,
  spec,
  square,
  sub,
  tanh,
  trace,
  type Graph,
  type Value,
} from '@sublora/autodiff';
import { seedXoshiro128 } from '@sublora/tensor';

/** Sizes of the benchmark problem. */
export interface PinnSize {
  readonly width: number;
  readonly rank: number;
  readonly interior: number;
  readonly boundary: number;
}

/**
 * The benchmark sizes, 1024 interior and 256 boundary points each: the two of
 * the autodiff issue (w = 64, k = 8 and w = 256, k = 16) and the paper-scale
 * one that PyTorch was timed at (w = 1000, k = 50; minutes per Hessian on the
 * reference backend, so opt-in).
 */
export const PINN_SIZES: readonly PinnSize[] = [
  { width: 64, rank: 8, interior: 1024, boundary: 256 },
  { width: 256, rank: 16, interior: 1024, boundary: 256 },
  { width: 1000, rank: 50, interior: 1024, boundary: 256 },
];

/**
 * The sizes of `table` (default {@link PINN_SIZES}) named by a `--widths`
 * value such as `"64,256"` (`defaults` when absent), in the order named;
 * throws a one-line error naming an unknown width and the known ones.
 */
export function pinnSizesOfWidths(
  list: string | undefined,
  defaults: readonly number[],
  table: readonly PinnSize[] = PINN_SIZES,
): PinnSize[] {
  const widths = list === undefined ? defaults : list.split(',').map((x) => Number(x.trim()));
  return widths.map((width) => {
    const size = table.find((s) => s.width === width);
    if (size === undefined)
      throw new Error(
        `--widths: no benchmark size of width '${width}'; use any of ${table.map((s) => s.width).join(',')}`,
      );
    return size;
  });
}

/** Timed rounds at a size: 7, 3 at w >= 256, and 1 at w >= 1000 (minutes per Hessian). */
export function defaultRounds(size: PinnSize): number {
  return size.width >= 1000 ? 1 : size.width >= 256 ? 3 : 7;
}

/** Deterministic pseudo-random numbers in [lo, hi), from the workspace's xoshiro128** core. */
export function randoms(seed: number, n: number, lo = -1, hi = 1): Float64Array {
  const { uint32 } = seedXoshiro128(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (uint32() / 4294967296) * (hi - lo);
  return out;
}

/**
 * The loss's inputs at a size, fixed by seed: sigma (r = 2k values in
 * [0.5, 1.5)), the interior points `[N, 2]` in [-0.7, 0.7) and the boundary
 * points `[Nb, 2]` in [-1, 1).
 */
export function pinnInputs(size: PinnSize): Float64Array[] {
  return [
    randoms(3, 2 * size.rank, 0.5, 1.5),
    randoms(4, 2 * size.interior, -0.7, 0.7),
    randoms(5, 2 * size.boundary, -1, 1),
  ];
}

function mlp(size: PinnSize, points: number): Graph {
  const { width: w, rank: k } = size;
  let seed = 1;
  const weight = (rows: number, cols: number, scale: number) =>
    constant(
      randoms(seed++, rows * cols, -scale, scale),
      cols === 1 && rows === 1 ? [1] : [rows, cols],
    );
  const bias = () => constant(randoms(seed++, w, -0.1, 0.1), [w]);
  const lora = (h: Value, s: Value) =>
    add(
      add(
        matmul(h, weight(w, w, 1.5 / Math.sqrt(w))),
        matmul(mul(matmul(h, weight(w, k, 1 / Math.sqrt(w))), s), weight(k, w, 1 / Math.sqrt(k))),
      ),
      bias(),
    );
  return trace([spec('sigma', [2 * k]), spec('x', [points, 2])], (sigma, x) => {
    const h1 = tanh(add(matmul(x, weight(2, w, 1)), bias()));
    const h2 = tanh(lora(h1, slice(sigma, [0], [k])));
    const h3 = tanh(lora(h2, slice(sigma, [k], [k])));
    return matmul(h3, weight(w, 1, 1 / Math.sqrt(w)));
  });
}

/**
 * `mean(-(1 + |x|^2/2) lap u - x . grad u + |grad u|^2 - g)^2 + mean(u - h)^2`
 * with inputs `(sigma [2k], interior [Ni, 2], boundary [Nb, 2])`.
 */
export function pinnLoss(size: PinnSize): Graph {
  const { interior: Ni, boundary: Nb, rank: k } = size;
  const u = mlp(size, Ni);
  const lap = laplacian(u, { wrt: 1 });
  const ux = partial(u, { wrt: 1, dim: 0 });
  const uy = partial(u, { wrt: 1, dim: 1 });
  const ub = mlp(size, Nb);
  return trace(
    [spec('sigma', [2 * k]), spec('interior', [Ni, 2]), spec('boundary', [Nb, 2])],
    (sigma, xi, xb) => {
      const [l] = call(lap, sigma, xi);
      const [gx] = call(ux, sigma, xi);
      const [gy] = call(uy, sigma, xi);
      const x0 = slice(xi, [0, 0], [Ni, 1]);
      const x1 = slice(xi, [0, 1], [Ni, 1]);
      const a = add(1, mul(add(square(x0), square(x1)), 0.5));
      const residual = add(
        sub(neg(mul(a, l)), add(mul(x0, gx), mul(x1, gy))),
        sub(add(square(gx), square(gy)), constant(randoms(50, Ni), [Ni, 1])),
      );
      const [u0] = call(ub, sigma, xb);
      const bres = sub(u0, constant(randoms(51, Nb, -0.2, 0.2), [Nb, 1]));
      return add(mean(square(residual)), mean(square(bres)));
    },
  );
}
