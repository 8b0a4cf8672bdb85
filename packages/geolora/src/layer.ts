/**
 * A GeoLoRA layer: `W = W0 + U S V^T` with `U` (`out x r`) and `V` (`in x r`)
 * orthonormal and `S` a full `r x r` matrix. Storage is preallocated at
 * `rmax`: `geolora.U<l>` is `[out, rmax]`, `geolora.S<l>` `[rmax, rmax]`,
 * `geolora.V<l>` `[in, rmax]`, and only the leading `r` columns (the leading
 * `r x r` block of `S`) are in use; everything beyond is zero. The graph is
 * therefore traced once at `rmax` and stays valid while the rank moves (the
 * zero block adds nothing, and the step reads only the leading blocks of the
 * gradients).
 *
 * Initialisation: `U`, `V` from the thin QR of a seeded Gaussian, `S = 0`, so
 * the adapted network starts as the pretrained one.
 */
import { type Value, add, matmul } from '@sublora/autodiff';
import { type Matrix, matrix, orthogonalityError, qr } from '@sublora/linalg';
import {
  type MlpShape,
  type ParamValues,
  type TracedLinear,
  denseLinear,
  layerNames,
  layerSizes,
} from '@sublora/nn';
import { InputError, type Random } from '@sublora/tensor';
import { type GeoloraConfig, type ResolvedGeoloraConfig, resolveGeoloraConfig } from './config';

/** Parameter names of adapted layer `l`. */
export function geoloraNames(l: number): { u: string; s: string; v: string } {
  return { u: `geolora.U${l}`, s: `geolora.S${l}`, v: `geolora.V${l}` };
}

/**
 * Everything GeoLoRA trains and carries between steps: the factors (plain
 * named host tensors, to bind into graphs and to checkpoint), the rank of
 * each layer, the step count and Adam's moments of `S` (`adam` optimizer).
 */
export interface GeoloraState {
  readonly config: ResolvedGeoloraConfig;
  /** `[out, in]` of each adapted layer, in `config.layers` order. */
  readonly sizes: readonly (readonly [number, number])[];
  /** `geolora.U<l>`, `geolora.S<l>`, `geolora.V<l>` of every adapted layer. */
  readonly params: ParamValues;
  /** Current rank of each adapted layer, in `config.layers` order. */
  readonly ranks: number[];
  /** Steps taken. */
  step: number;
  /** Adam's moments of each layer's leading `r x r` block of `S` (reset at every augmentation). */
  adam?: { t: number; m: Float64Array[]; v: Float64Array[] };
}

/** Starting factors of one layer: `u` (`out x r`), `s` (`r x r`), `v` (`in x r`). */
export interface GeoloraFactors {
  readonly u: Matrix;
  readonly s: Matrix;
  readonly v: Matrix;
}

/**
 * A state from given starting factors (one per entry of `config.layers`, all
 * of the rank `config.rank`, default their column count). `u` and `v` must
 * have orthonormal columns; this is checked to 1e-10.
 */
export function createGeoloraState(
  config: GeoloraConfig,
  factors: readonly GeoloraFactors[],
): GeoloraState {
  if (factors.length !== config.layers.length)
    throw new InputError(
      'factors',
      `${factors.length} given for ${config.layers.length} adapted layers`,
    );
  const sizes = factors.map((f) => [f.u.rows, f.v.rows] as const);
  const resolved = resolveGeoloraConfig(
    { ...config, rank: config.rank ?? factors[0]?.u.cols },
    sizes,
  );
  const { rmax, rank } = resolved;
  const params: ParamValues = {};
  resolved.layers.forEach((l, i) => {
    const { u, s, v } = factors[i];
    if (u.cols !== rank || v.cols !== rank || s.rows !== rank || s.cols !== rank)
      throw new InputError(
        'factors',
        `layer ${l} has u ${u.rows} x ${u.cols}, s ${s.rows} x ${s.cols}, v ${v.rows} x ${v.cols}; all need rank ${rank}`,
      );
    const bad = s.data.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0)
      throw new InputError(
        'factors',
        `layer ${l}'s s entry (${Math.floor(bad / rank)}, ${bad % rank}) is ${s.data[bad]}; pass finite singular values`,
      );
    for (const [name, f] of [
      ['u', u],
      ['v', v],
    ] as const) {
      const err = orthogonalityError(f);
      if (!(err < 1e-10))
        throw new InputError(
          'factors',
          `layer ${l}'s ${name} is not orthonormal (||${name}^T ${name} - I||_F = ${err}); orthonormalise it (QR)`,
        );
    }
    const n = geoloraNames(l);
    params[n.u] = { shape: [u.rows, rmax], data: embed(u, u.rows, rmax) };
    params[n.s] = { shape: [rmax, rmax], data: embed(s, rmax, rmax) };
    params[n.v] = { shape: [v.rows, rmax], data: embed(v, v.rows, rmax) };
  });
  return { config: resolved, sizes, params, ranks: resolved.layers.map(() => rank), step: 0 };
}

/** Fresh GeoLoRA parameters for the MLP's `config.layers` (see the module comment). */
export function initGeolora(mlp: MlpShape, config: GeoloraConfig, rng: Random): GeoloraState {
  const all = layerSizes(mlp);
  const sizes = config.layers.map((l) => {
    const size = all[l];
    if (size === undefined)
      throw new InputError(
        'geolora.layers',
        `layer ${l} does not exist (the MLP has layers 0..${all.length - 1})`,
      );
    return size;
  });
  const { rank } = resolveGeoloraConfig(config, sizes);
  const gaussianFrame = (n: number) =>
    qr(
      matrix(
        n,
        rank,
        Array.from({ length: n * rank }, () => rng.normal()),
      ),
    ).q;
  return createGeoloraState(
    { ...config, rank },
    sizes.map(([out, inn]) => ({
      u: gaussianFrame(out),
      s: matrix(rank, rank),
      v: gaussianFrame(inn),
    })),
  );
}

/** `a` as the leading block of a zero `rows x cols` row-major array. */
export function embed(a: Matrix, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < a.rows; i++) out.set(a.data.subarray(i * a.cols, (i + 1) * a.cols), i * cols);
  return out;
}

/** The leading `rows x cols` block of a row-major array of row length `width`. */
export function leadingBlock(
  data: ArrayLike<number>,
  width: number,
  rows: number,
  cols: number,
): Matrix {
  const out = matrix(rows, cols);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) out.data[i * cols + j] = data[i * width + j];
  return out;
}

/**
 * A traced GeoLoRA layer: `h W0^T + ((h V) S^T) U^T`, never forming the
 * `out x in` update.
 */
export function geoloraLinear(w0: Value, bias: Value, u: Value, s: Value, v: Value): TracedLinear {
  return {
    apply: (h) =>
      add(
        matmul(h, w0, { transposeB: true }),
        matmul(matmul(matmul(h, v), s, { transposeB: true }), u, { transposeB: true }),
      ),
    bias,
  };
}

/** The traced layers of an MLP whose `config.layers` carry GeoLoRA adapters. */
export function geoloraLayers(
  mlp: MlpShape,
  config: Pick<GeoloraConfig, 'layers'>,
  values: Readonly<Record<string, Value>>,
): TracedLinear[] {
  return layerSizes(mlp).map((_, l) => {
    const { weight, bias } = layerNames(l);
    if (!config.layers.includes(l)) return denseLinear(values[weight], values[bias]);
    const n = geoloraNames(l);
    return geoloraLinear(values[weight], values[bias], values[n.u], values[n.s], values[n.v]);
  });
}
