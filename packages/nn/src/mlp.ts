/**
 * A tanh MLP `R^d -> R^out` traced into an autodiff graph, with an optional
 * Taylor-mode pass that carries first and pure second input derivatives
 * through the network alongside the values.
 *
 * Why Taylor mode: a PINN loss needs u_x, u_y, u_t, u_xx, ... at every
 * collocation point, and then gradients (and a Hessian) of that loss w.r.t.
 * the weights. Propagating (z, dz/dx_k, d2z/dx_k^2) forward costs about
 * (1 + #first + #second) forward passes, and the result is an ordinary graph
 * that `grad`/`hessian` differentiate like any other. Per hidden layer, with
 * a = tanh(z), a' = 1 - a^2, a'' = -2 a a':
 *
 *     da_k = a' dz_k,   d2a_k = a'' dz_k^2 + a' d2z_k,
 *
 * and a linear layer maps every derivative by its weight (no bias). All
 * derivative rows of a layer go through one stacked matmul.
 *
 * When only the sum of pure second derivatives over some columns K is needed
 * (the Laplacian), the sum itself is one stream (the "forward Laplacian"):
 *
 *     lap_a = a'' sum_{k in K} dz_k^2 + a' lap_z,
 *
 * so each layer's matmul carries one row block for it instead of |K|.
 */
import {
  add,
  concat,
  constant,
  matmul,
  mul,
  neg,
  slice,
  sub,
  tanh,
  type Value,
} from '@sublora/autodiff';
import type { Random } from '@sublora/tensor';
import type { ParamValues } from './params';

/** Layer sizes of an MLP with `depth` hidden layers of equal `width`. */
export interface MlpShape {
  readonly inputDim: number;
  readonly width: number;
  /** Number of hidden layers (the paper uses 3). */
  readonly depth: number;
  /** Output size (default 1). */
  readonly outputDim?: number;
}

/** Parameter names of layer `l` (0 = input layer, `depth` = output layer). */
export function layerNames(l: number): { weight: string; bias: string } {
  return { weight: `W${l}`, bias: `b${l}` };
}

/** `[out, in]` of every layer's weight, input layer first. */
export function layerSizes(shape: MlpShape): [number, number][] {
  const sizes: [number, number][] = [[shape.width, shape.inputDim]];
  for (let l = 1; l < shape.depth; l++) sizes.push([shape.width, shape.width]);
  sizes.push([shape.outputDim ?? 1, shape.width]);
  return sizes;
}

/**
 * Glorot-normal weights (std sqrt(2 / (fan_in + fan_out))) and zero biases,
 * named `W0, b0, ..., W<depth>, b<depth>`; weights are `[out, in]`.
 */
export function initMlp(shape: MlpShape, rng: Random): ParamValues {
  for (const [key, v] of Object.entries({
    inputDim: shape.inputDim,
    width: shape.width,
    depth: shape.depth,
  })) {
    if (!Number.isInteger(v) || v < 1)
      throw new RangeError(`shape.${key}: ${v} is not a positive integer`);
  }
  const params: ParamValues = {};
  layerSizes(shape).forEach(([out, inn], l) => {
    const std = Math.sqrt(2 / (out + inn));
    const { weight, bias } = layerNames(l);
    params[weight] = {
      shape: [out, inn],
      data: Float64Array.from({ length: out * inn }, () => std * rng.normal()),
    };
    params[bias] = { shape: [out], data: new Float64Array(out) };
  });
  return params;
}

/** A traced affine layer: `apply` is the linear part (no bias), used for derivative rows too. */
export interface TracedLinear {
  apply(h: Value): Value;
  readonly bias: Value;
}

/** `h W^T` with `W` stored `[out, in]`. */
export function denseLinear(weight: Value, bias: Value): TracedLinear {
  return { apply: (h) => matmul(h, weight, { transposeB: true }), bias };
}

/** The traced layers of a plain MLP from bound parameter values. */
export function denseLayers(
  shape: MlpShape,
  values: Readonly<Record<string, Value>>,
): TracedLinear[] {
  return layerSizes(shape).map((_, l) => {
    const { weight, bias } = layerNames(l);
    return denseLinear(values[weight], values[bias]);
  });
}

/** Forward pass: tanh after every layer but the last. `x` is `[N, inputDim]`. */
export function mlpForward(layers: readonly TracedLinear[], x: Value): Value {
  let h = x;
  layers.forEach((layer, l) => {
    const z = add(layer.apply(h), layer.bias);
    h = l < layers.length - 1 ? tanh(z) : z;
  });
  return h;
}

/** Which input derivatives to carry: column indices of `x`. */
export interface DerivativeRequest {
  /** Columns k for which du/dx_k is wanted. */
  readonly first?: readonly number[];
  /** Columns k for which d2u/dx_k^2 is wanted. */
  readonly second?: readonly number[];
  /**
   * Columns whose pure second derivatives are wanted only as their sum, the
   * Laplacian over them: carried as one stream (one matmul row block per
   * layer instead of one per column). Carried in first order too.
   */
  readonly laplacian?: readonly number[];
}

/** Output of {@link mlpWithInputDerivatives}: each entry is `[N, out]`. */
export interface InputDerivatives {
  readonly u: Value;
  readonly first: ReadonlyMap<number, Value>;
  readonly second: ReadonlyMap<number, Value>;
  /** The sum of d2u/dx_k^2 over the requested `laplacian` columns (absent when none were). */
  readonly laplacian?: Value;
}

/** Applies a linear map to several `[N, w]` blocks with one stacked matmul. */
function applyStacked(layer: TracedLinear, blocks: readonly Value[]): Value[] {
  if (blocks.length === 0) return [];
  if (blocks.length === 1) return [layer.apply(blocks[0])];
  const rows = blocks[0].shape[0];
  const out = layer.apply(concat(blocks, 0));
  const width = out.shape[1];
  return blocks.map((_, i) => slice(out, [i * rows, 0], [rows, width]));
}

/**
 * Forward pass carrying first and pure second input derivatives (Taylor mode,
 * see the module comment). Columns in `second` and `laplacian` are carried in
 * first order too.
 *
 * @example
 * ```ts
 * const d = mlpWithInputDerivatives(layers, x, { first: [0, 1], laplacian: [0, 1] });
 * // d.u, d.first.get(0), d.first.get(1), d.laplacian: u, u_x, u_y, u_xx + u_yy
 * ```
 */
export function mlpWithInputDerivatives(
  layers: readonly TracedLinear[],
  x: Value,
  request: DerivativeRequest,
): InputDerivatives {
  const dim = x.shape[1];
  const secondDims = [...new Set(request.second ?? [])].sort((a, b) => a - b);
  const lapDims = [...new Set(request.laplacian ?? [])].sort((a, b) => a - b);
  const firstDims = [...new Set([...(request.first ?? []), ...secondDims, ...lapDims])].sort(
    (a, b) => a - b,
  );
  for (const k of firstDims)
    if (!Number.isInteger(k) || k < 0 || k >= dim)
      throw new RangeError(`request: input column ${k} is outside [0, ${dim})`);

  // Input layer: dz/dx_k is column k of W0 (the layer applied to a unit row), the same for every row; d2z = 0.
  const first = layers[0];
  let z = add(first.apply(x), first.bias);
  let dz = firstDims.map((k) =>
    first.apply(
      constant(
        Array.from({ length: dim }, (_, j) => (j === k ? 1 : 0)),
        [1, dim],
        x.dtype,
      ),
    ),
  );
  // The input layer is linear in x: its second derivatives (and Laplacian) are zero.
  let d2z: (Value | undefined)[] = secondDims.map(() => undefined);
  let lapZ: Value | undefined;
  const wantsLap = lapDims.length > 0;

  for (let l = 1; l < layers.length; l++) {
    const a = tanh(z);
    const a1 = sub(1, mul(a, a));
    const a2 = mul(neg(mul(a, 2)), a1);
    const da = dz.map((d) => mul(a1, d));
    // a'' dz^2 + a' d2z: the second-order rule, for one column or (with the sum of squares) the Laplacian
    const secondOrder = (squares: Value, prev: Value | undefined) => {
      const curvature = mul(a2, squares);
      return prev === undefined ? curvature : add(curvature, mul(a1, prev));
    };
    const square = (k: number) => {
      const d = dz[firstDims.indexOf(k)];
      return mul(d, d);
    };
    const d2a = secondDims.map((k, i) => secondOrder(square(k), d2z[i]));
    const sumOfSquares = wantsLap ? lapDims.map(square).reduce((s, t) => add(s, t)) : undefined;
    const lapA = sumOfSquares ? [secondOrder(sumOfSquares, lapZ)] : [];
    const layer = layers[l];
    z = add(layer.apply(a), layer.bias);
    const mapped = applyStacked(layer, [...da, ...d2a, ...lapA]);
    dz = mapped.slice(0, da.length);
    d2z = mapped.slice(da.length, da.length + d2a.length);
    if (wantsLap) lapZ = mapped[mapped.length - 1];
  }
  return {
    u: z,
    first: new Map(firstDims.map((k, i) => [k, dz[i]])),
    second: new Map(secondDims.map((k, i) => [k, d2z[i] as Value])),
    ...(lapZ ? { laplacian: lapZ } : {}),
  };
}
