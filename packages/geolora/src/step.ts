/**
 * One GeoLoRA step on host parameters, from the loss gradients `G_U`, `G_S`,
 * `G_V` of one backward pass (the paper's Algorithm 1), per adapted layer
 * with rank `r`, in float64 on the host through `@sublora/linalg`:
 *
 *     S' = S - lr G_S
 *     K  = U S   - lr G_U S^-T           L = V S^T - lr G_V S^-1
 *     [U | U~] = qr([U | G_U S^-T])      [V | V~] = qr([V | G_V S^-1])   (k = min(2r, out, in) columns)
 *     S^ = [[S', L^T V~], [U~^T K, 0]]   (k x k)  =  P Sigma Q^T
 *     U <- [U | U~] P_r',  S <- Sigma_r',  V <- [V | V~] Q_r'
 *
 * `S^-1` is the pseudo-inverse of `S` (`diag(1 / s_i)` after a truncation,
 * when `S` is diagonal), except that `S = 0` (the initialisation; also any `S`
 * whose entries are all below 1e-150) maps to the identity, as in the paper
 * (section 4.1) and the authors' code. That choice cannot matter: with
 * `S = 0` the loss does not depend on `U` and `V`, so `G_U = G_V = 0` and the
 * first step grows `S` from `-lr G_S` alone (which is why the bases need a
 * random start: with `U^T G_W V = 0` nothing would move).
 *
 * The augmented basis is the whole `q` of the QR, whose leading `r` columns
 * are `U` up to rounding; taking it re-orthonormalises `U` at every step, so
 * round-off does not accumulate.
 *
 * The new rank `r'` comes from `config.truncation` (see `Truncation`) and is
 * at most `rmax`. The augmentation itself is not capped at `rmax` (the
 * authors' code caps it, so their bases stop moving once `r = rmax` and only
 * `S` trains); it is capped by the layer's size only.
 * With `optimizer: 'adam'` (or `augmentEvery > 1`) only every
 * `augmentEvery`-th step is the step above; in between `S` moves alone
 * (Adam, or a plain step), bases fixed.
 */
import {
  type Matrix,
  columns,
  hconcat,
  identity,
  matmul,
  matrix,
  pseudoInverse,
  qr,
  svd,
  transpose,
} from '@sublora/linalg';
import { type AdamState, type SvdView, adamStep } from '@sublora/nn';
import { type MethodName, determineRanksSync } from '@sublora/rank-determination';
import { InputError, type MatrixLike, normalizingFactors, type VectorLike } from '@sublora/tensor';
import { type GeoloraState, embed, geoloraNames, leadingBlock } from './layer';
import { tauRank, truncatedMass } from './truncation';

/** Gradients of the loss by parameter name (`geolora.U<l>`, `geolora.S<l>`, `geolora.V<l>`), full `rmax` storage. */
export type GeoloraGrads = Readonly<Record<string, ArrayLike<number>>>;

/** What one step did. */
export interface GeoloraStepReport {
  /** Index of the step just taken (0 for the first). */
  readonly step: number;
  /** True for a GeoLoRA step (augmentation and truncation), false for an `S`-only step. */
  readonly augmented: boolean;
  /** Rank of each adapted layer after the step, in `config.layers` order. */
  readonly ranks: readonly number[];
  /**
   * Per layer, the share of the augmented matrix's squared singular values
   * that the truncation dropped (`sum_dropped s_i^2 / sum s_i^2`); 0 on an
   * `S`-only step.
   */
  readonly truncatedMass: readonly number[];
}

/** `g` and `H` of the loss w.r.t. the candidate singular values, in the order of the views. */
export interface CandidateCurvature {
  readonly grad: VectorLike;
  /** `r x r` (rows, or `{ data, size }` row-major), `r` the total number of candidates. */
  readonly hessian: MatrixLike;
}

/**
 * Computes `g` and `H` at the augmented (not yet truncated) factorization of
 * every layer, given as SVD views (`u diag(sigma) v` per layer, `sigma` the
 * candidates), e.g. by writing the views as LoRA-SVD layers and taking the
 * autodiff gradient and Hessian w.r.t. their singular values.
 */
export type CurvatureHook = (
  candidates: readonly SvdView[],
) => CandidateCurvature | Promise<CandidateCurvature>;

/** Thrown when a step produces a non-finite value: names the step and the layer. */
export class GeoloraStepError extends Error {
  constructor(
    readonly step: number,
    readonly layer: number,
    what: string,
  ) {
    super(
      `geolora step ${step}, layer ${layer}: ${what}; lower the learning rate or check the loss`,
    );
    this.name = 'GeoloraStepError';
  }
}

/** One layer's augmented factorization `(qu P) diag(s) (qv Q)^T`, before truncation. */
interface Candidate {
  readonly qu: Matrix;
  readonly qv: Matrix;
  readonly p: Matrix;
  readonly q: Matrix;
  readonly s: Float64Array;
}

/** Whether a truncation needs `g` and `H` from a {@link CurvatureHook}. */
export function needsCurvature(truncation: string): boolean {
  return truncation !== 'tau' && truncation !== 'budget-magnitude';
}

/**
 * One step (see the module comment), updating `state` in place. For
 * `truncation: 'budget-<method>'` with a method other than `magnitude`, use
 * {@link geoloraStepWithCurvature}.
 *
 * @param grads - the loss gradients of every `geolora.*` parameter (one backward pass)
 * @throws InputError for a bad `lr`, a missing, mis-sized or non-finite gradient
 * @throws GeoloraStepError when the step itself produces a non-finite value
 */
export function geoloraStep(
  state: GeoloraState,
  grads: GeoloraGrads,
  lr: number,
): GeoloraStepReport {
  const { truncation } = state.config;
  if (needsCurvature(truncation))
    throw new InputError(
      'geolora.truncation',
      `'${truncation}' needs the gradient and Hessian w.r.t. the candidate singular values; call geoloraStepWithCurvature`,
    );
  const candidates = begin(state, grads, lr);
  if (candidates === undefined) return sOnlyReport(state);
  return commit(state, candidates, choose(state, candidates));
}

/**
 * {@link geoloraStep} for every truncation: when it needs `g` and `H`
 * (`budget-<method>`, method not `magnitude`), `curvature` is called once
 * with the candidates, after the augmentation and before the truncation.
 */
export async function geoloraStepWithCurvature(
  state: GeoloraState,
  grads: GeoloraGrads,
  lr: number,
  curvature: CurvatureHook,
): Promise<GeoloraStepReport> {
  const candidates = begin(state, grads, lr);
  if (candidates === undefined) return sOnlyReport(state);
  const curv = needsCurvature(state.config.truncation)
    ? await curvature(candidateViews(state, candidates))
    : undefined;
  return commit(state, candidates, choose(state, candidates, curv));
}

/** Validates, then either moves `S` alone (returns undefined) or augments every layer. */
function begin(state: GeoloraState, grads: GeoloraGrads, lr: number): Candidate[] | undefined {
  if (!(Number.isFinite(lr) && lr > 0))
    throw new InputError('lr', `${lr} is not a finite number > 0`);
  checkGrads(state, grads);
  if (state.step % state.config.augmentEvery !== 0) {
    stepS(state, grads, lr);
    state.step += 1;
    return undefined;
  }
  return state.config.layers.map((_, i) => augment(state, i, grads, lr));
}

function checkGrads(state: GeoloraState, grads: GeoloraGrads): void {
  state.config.layers.forEach((l) => {
    for (const name of Object.values(geoloraNames(l))) {
      const g = grads[name];
      const size = state.params[name].data.length;
      if (g === undefined || g.length !== size)
        throw new InputError(
          `gradient ${name}`,
          `has ${g?.length ?? 'no'} entries, the parameter ${size}`,
        );
      for (let i = 0; i < g.length; i++)
        if (!Number.isFinite(g[i]))
          throw new InputError(
            `gradient ${name}`,
            `entry ${i} is ${g[i]} at step ${state.step} (layer ${l}); check the loss or lower the learning rate`,
          );
    }
  });
}

/**
 * Coefficients whose entries are all below this count as `S = 0`: their
 * reciprocals (up to 1e150 and beyond) would overflow `G_U S^-T` although
 * `G_U` (proportional to `S`) carries no information at that size.
 */
const NEGLIGIBLE_S = 1e-150;

/** `S^-1` of the module comment, transposed or not. */
function coefficientInverse(s: Matrix): Matrix {
  const r = s.rows;
  if (s.data.every((x) => Math.abs(x) < NEGLIGIBLE_S)) return identity(r);
  let diagonal = true;
  for (let i = 0; i < r && diagonal; i++)
    for (let j = 0; j < r; j++)
      if (i !== j && s.data[i * r + j] !== 0) {
        diagonal = false;
        break;
      }
  if (!diagonal) return pseudoInverse(s);
  // the pseudo-inverse of a diagonal, with pseudoInverse's cut-off
  let big = 0;
  for (let i = 0; i < r; i++) big = Math.max(big, Math.abs(s.data[i * r + i]));
  const out = matrix(r, r);
  for (let i = 0; i < r; i++) {
    const d = s.data[i * r + i];
    if (Math.abs(d) > r * Number.EPSILON * big) out.data[i * r + i] = 1 / d;
  }
  return out;
}

function assertFinite(state: GeoloraState, i: number, what: string, a: Matrix): void {
  for (let k = 0; k < a.data.length; k++)
    if (!Number.isFinite(a.data[k]))
      throw new GeoloraStepError(
        state.step,
        state.config.layers[i],
        `${what} has a non-finite entry (${a.data[k]} at (${Math.floor(k / a.cols)}, ${k % a.cols}))`,
      );
}

const axpy = (x: Matrix, a: number, y: Matrix): Matrix =>
  matrix(
    x.rows,
    x.cols,
    x.data.map((v, k) => v + a * y.data[k]),
  );

/**
 * The `count` columns that augment basis `b` (orthonormal, `r` columns) along
 * `d` (`r` columns, `G_U S^-T` or `G_V S^-1`).
 *
 * When all of `d` fits (`count = r`), `d` itself: the QR orthonormalises it
 * against `b`. Each column is first scaled by a power of two (exact) when its
 * largest entry is more than 2^100 away from 1, because only its direction
 * matters and the QR would flush entries 1e150 below the matrix's largest to
 * zero, losing `b` or `d`. When the layer is too narrow for all of `d`
 * (`count < r`), the `count` dominant directions of `d`'s part outside `b`
 * (left singular vectors of `(I - b b^T) d`), so the choice does not depend
 * on the order of `d`'s columns.
 */
function newDirections(b: Matrix, d: Matrix, count: number): Matrix {
  if (count < d.cols) {
    const outside = axpy(d, -1, matmul(b, matmul(b, d, { transposeA: true })));
    return columns(svd(outside).u, 0, count);
  }
  const out = matrix(d.rows, d.cols, Float64Array.from(d.data));
  for (let j = 0; j < d.cols; j++) {
    let largest = 0;
    for (let a = 0; a < d.rows; a++) largest = Math.max(largest, Math.abs(d.data[a * d.cols + j]));
    if (largest === 0 || (largest > 2 ** -100 && largest < 2 ** 100)) continue;
    const [f1, f2] = normalizingFactors(largest);
    for (let a = 0; a < d.rows; a++) out.data[a * d.cols + j] = d.data[a * d.cols + j] * f1 * f2;
  }
  return out;
}

/** Augmentation of layer `i`: the candidates `P Sigma Q^T` of `S^` with their bases. */
function augment(state: GeoloraState, i: number, grads: GeoloraGrads, lr: number): Candidate {
  const l = state.config.layers[i];
  const { rmax } = state.config;
  const r = state.ranks[i];
  const [out, inn] = state.sizes[i];
  const names = geoloraNames(l);
  const u = leadingBlock(state.params[names.u].data, rmax, out, r);
  const s = leadingBlock(state.params[names.s].data, rmax, r, r);
  const v = leadingBlock(state.params[names.v].data, rmax, inn, r);
  const gu = leadingBlock(grads[names.u], rmax, out, r);
  const gs = leadingBlock(grads[names.s], rmax, r, r);
  const gv = leadingBlock(grads[names.v], rmax, inn, r);
  const sInv = coefficientInverse(s);
  const du = matmul(gu, sInv, { transposeB: true }); // G_U S^-T
  const dv = matmul(gv, sInv); // G_V S^-1
  assertFinite(state, i, 'G_U S^-T', du);
  assertFinite(state, i, 'G_V S^-1', dv);
  // the augmentation may exceed rmax (the truncation caps the kept rank), so the
  // bases keep moving at r = rmax; only the layer's size bounds it
  const k = Math.min(2 * r, out, inn);
  const qu = qr(hconcat(u, newDirections(u, du, k - r))).q;
  const qv = qr(hconcat(v, newDirections(v, dv, k - r))).q;
  const kMat = axpy(matmul(u, s), -lr, du);
  const lMat = axpy(matmul(v, s, { transposeB: true }), -lr, dv);
  const sNew = axpy(s, -lr, gs);
  const top = matmul(lMat, columns(qv, r, k), { transposeA: true }); // L^T V~, r x (k - r)
  const bottom = matmul(columns(qu, r, k), kMat, { transposeA: true }); // U~^T K, (k - r) x r
  const sHat = matrix(k, k);
  for (let a = 0; a < r; a++) {
    for (let b = 0; b < r; b++) sHat.data[a * k + b] = sNew.data[a * r + b];
    for (let b = r; b < k; b++) sHat.data[a * k + b] = top.data[a * (k - r) + (b - r)];
  }
  for (let a = r; a < k; a++)
    for (let b = 0; b < r; b++) sHat.data[a * k + b] = bottom.data[(a - r) * r + b];
  assertFinite(state, i, 'the augmented coefficient matrix', sHat);
  const f = svd(sHat);
  return { qu, qv, p: f.u, q: f.v, s: f.s };
}

/** `basis * rot[:, kept]`. */
function rotatedColumns(basis: Matrix, rot: Matrix, kept: readonly number[]): Matrix {
  const sel = matrix(rot.rows, kept.length);
  for (let a = 0; a < rot.rows; a++)
    kept.forEach((c, j) => (sel.data[a * kept.length + j] = rot.data[a * rot.cols + c]));
  return matmul(basis, sel);
}

function candidateViews(state: GeoloraState, candidates: readonly Candidate[]): SvdView[] {
  const { rmax } = state.config;
  return candidates.map((c, i) => {
    const all = Array.from({ length: Math.min(c.s.length, rmax) }, (_, j) => j);
    const u = rotatedColumns(c.qu, c.p, all);
    const v = rotatedColumns(c.qv, c.q, all);
    return {
      layer: state.config.layers[i],
      u: { shape: [u.rows, u.cols], data: u.data },
      sigma: c.s.slice(0, all.length),
      v: { shape: [v.cols, v.rows], data: transpose(v).data },
    };
  });
}

/** The kept candidates of each layer (local indices, ascending). */
function choose(
  state: GeoloraState,
  candidates: readonly Candidate[],
  curvature?: CandidateCurvature,
): number[][] {
  const { truncation, tau, rule, budget, seed } = state.config;
  const { rmax } = state.config;
  if (truncation === 'tau')
    return candidates.map((c) =>
      Array.from({ length: Math.min(tauRank(c.s, tau, rule), rmax) }, (_, j) => j),
    );
  const method = truncation.slice('budget-'.length) as MethodName;
  // each layer offers its rmax largest candidates, so no layer can exceed rmax
  const sizes = candidates.map((c) => Math.min(c.s.length, rmax));
  const total = sizes.reduce((a, b) => a + b, 0);
  const sigma = new Float64Array(total);
  let offset = 0;
  candidates.forEach((c, i) => {
    sigma.set(c.s.subarray(0, sizes[i]), offset);
    offset += sizes[i];
  });
  // magnitude ignores g and H
  const { grad, hessian } = curvature ?? {
    grad: new Float64Array(total),
    hessian: { data: new Float64Array(total * total), size: total },
  };
  const { kept } = determineRanksSync({
    sigma,
    grad,
    hessian,
    budget: Math.min(budget ?? total, total),
    method,
    layers: sizes,
    seed,
  });
  const perLayer: number[][] = sizes.map(() => []);
  let layer = 0;
  let start = 0;
  for (const g of kept) {
    while (g >= start + sizes[layer]) start += sizes[layer++];
    perLayer[layer].push(g - start);
  }
  return perLayer;
}

/** Writes the truncated factors of every layer; resets Adam's moments. */
function commit(
  state: GeoloraState,
  candidates: readonly Candidate[],
  kept: readonly number[][],
): GeoloraStepReport {
  const { rmax } = state.config;
  const masses = candidates.map((c, i) => {
    const l = state.config.layers[i];
    const names = geoloraNames(l);
    // a layer with nothing kept keeps its leading direction at S = 0, so it can grow back
    const cols = kept[i].length > 0 ? kept[i] : [0];
    const r = cols.length;
    const u = rotatedColumns(c.qu, c.p, cols);
    const v = rotatedColumns(c.qv, c.q, cols);
    const s = matrix(r, r);
    kept[i].forEach((c2, j) => (s.data[j * r + j] = c.s[c2]));
    state.params[names.u].data.set(embed(u, u.rows, rmax));
    state.params[names.s].data.set(embed(s, rmax, rmax));
    state.params[names.v].data.set(embed(v, v.rows, rmax));
    state.ranks[i] = r;
    return truncatedMass(c.s, kept[i]);
  });
  const step = state.step;
  state.step += 1;
  state.adam = undefined;
  return { step, augmented: true, ranks: [...state.ranks], truncatedMass: masses };
}

function sOnlyReport(state: GeoloraState): GeoloraStepReport {
  return {
    step: state.step - 1,
    augmented: false,
    ranks: [...state.ranks],
    truncatedMass: state.ranks.map(() => 0),
  };
}

/**
 * Between augmentations: `S`'s leading block alone, by Adam or a plain step.
 * The step is computed on copies (of `S` and of Adam's moments) and written
 * only when every layer's new `S` is finite, so a refused step changes nothing.
 */
function stepS(state: GeoloraState, grads: GeoloraGrads, lr: number): void {
  const { rmax, optimizer } = state.config;
  const blocks = state.config.layers.map((l, i) => {
    const name = geoloraNames(l).s;
    const r = state.ranks[i];
    return {
      name,
      r,
      s: leadingBlock(state.params[name].data, rmax, r, r),
      g: leadingBlock(grads[name], rmax, r, r),
    };
  });
  let moments: NonNullable<GeoloraState['adam']> | undefined;
  if (optimizer === 'plain') {
    for (const b of blocks) b.s.data.set(axpy(b.s, -lr, b.g).data);
  } else {
    const previous = state.adam;
    const next = {
      t: previous?.t ?? 0,
      m: blocks.map((b, i) => Float64Array.from(previous?.m[i] ?? new Float64Array(b.r * b.r))),
      v: blocks.map((b, i) => Float64Array.from(previous?.v[i] ?? new Float64Array(b.r * b.r))),
    };
    const adam: AdamState = {
      t: next.t,
      m: Object.fromEntries(blocks.map((b, i) => [b.name, next.m[i]])),
      v: Object.fromEntries(blocks.map((b, i) => [b.name, next.v[i]])),
    };
    adamStep(
      adam,
      Object.fromEntries(blocks.map((b) => [b.name, { shape: [b.r, b.r], data: b.s.data }])),
      Object.fromEntries(blocks.map((b) => [b.name, b.g.data])),
      lr,
    );
    next.t = adam.t;
    moments = next;
  }
  blocks.forEach((b, i) => {
    if (!b.s.data.every(Number.isFinite))
      throw new GeoloraStepError(state.step, state.config.layers[i], 'S has a non-finite entry');
  });
  for (const b of blocks)
    for (let a = 0; a < b.r; a++)
      state.params[b.name].data.set(b.s.data.subarray(a * b.r, (a + 1) * b.r), a * rmax);
  if (moments) state.adam = moments;
}
