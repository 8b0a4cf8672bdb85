/**
 * GeoLoRA (`@sublora/geolora`): `W0 + U S V^T` on the hidden-to-hidden
 * layers, `U`, `V` orthonormal, stored at `geolora.rmax`; every epoch (or
 * every `augmentEvery` with Adam on `S` between) one geometric step that
 * augments the bases and truncates the rank. The ranks and Adam's moments
 * of `S` live in the optimizer state, so checkpoints restore them exactly.
 * Rank determination sees each layer padded to `rmax` singular values
 * (zeros past its rank), so its `r = rmax x (depth - 1)` is fixed.
 */
import {
  type GeoloraState,
  type ResolvedGeoloraConfig,
  embed,
  geoloraLayers,
  geoloraNames,
  geoloraStepWithCurvature,
  geoloraSvdAdapter,
  initGeolora,
  leadingBlock,
  needsCurvature,
  resolveGeoloraConfig,
} from '@sublora/geolora';
import { svd } from '@sublora/linalg';
import { type ParamValues, type SvdAdapter, type SvdView, hiddenToHidden } from '@sublora/nn';
import type { PinnConfig } from '../config';
import type { NetworkSpec } from '../model';
import type { Optimizer, OptimizerState } from '../optimizer';
import type { PinnAdapter, TrainingHooks } from './types';

/** GeoLoRA's resolved settings for a configuration (hidden-to-hidden layers). */
export function geoloraSettings(config: PinnConfig): ResolvedGeoloraConfig {
  const layers = hiddenToHidden({
    inputDim: 2,
    width: config.network.width,
    depth: config.network.depth,
  });
  const w = config.network.width;
  return resolveGeoloraConfig(
    { layers, ...config.geolora },
    layers.map(() => [w, w] as const),
  );
}

/** JSON-able part of GeoLoRA's optimizer state (checkpoint metadata). */
interface GeoloraExtra {
  /** Rank of each adapted layer. */
  ranks: number[];
  /** Adam's step count on `S` since the last augmentation; absent when its moments are reset. */
  adamT?: number;
  /** Share of squared singular values the last truncation dropped, per layer. */
  truncatedMass: number[];
}

const M = 'adam.m';
const V = 'adam.v';

function extraOf(state: OptimizerState): GeoloraExtra {
  return state.extra as unknown as GeoloraExtra;
}

/**
 * The package's state over the app's parameters and optimizer state (shared
 * buffers for the factors; Adam's moments copied out of their `rmax x rmax`
 * slots).
 */
function packageState(
  settings: ResolvedGeoloraConfig,
  params: ParamValues,
  state: OptimizerState,
): GeoloraState {
  const extra = extraOf(state);
  const { rmax } = settings;
  const moments = (slot: string) =>
    settings.layers.map((l, i) => {
      const r = extra.ranks[i];
      return leadingBlock(state.slots[slot][geoloraNames(l).s], rmax, r, r).data;
    });
  return {
    config: settings,
    sizes: settings.layers.map((l) => {
      const n = geoloraNames(l);
      return [params[n.u].shape[0], params[n.v].shape[0]] as const;
    }),
    params,
    ranks: [...extra.ranks],
    step: state.t,
    ...(extra.adamT !== undefined && settings.optimizer === 'adam'
      ? { adam: { t: extra.adamT, m: moments(M), v: moments(V) } }
      : {}),
  };
}

/** GeoLoRA's training rule: the package's step, its state in `t`, slots and extras. */
function geoloraOptimizer(config: PinnConfig, hooks: TrainingHooks = {}): Optimizer {
  const settings = geoloraSettings(config);
  const { rmax } = settings;
  const curvature = hooks.curvature;
  if (needsCurvature(settings.truncation) && !curvature)
    throw new Error(
      `geolora.truncation '${settings.truncation}' needs the loss's g and H mid-training; the stage gave no curvature hook`,
    );
  return {
    name: `geolora-${settings.optimizer}`,
    init: () => ({
      t: 0,
      slots:
        settings.optimizer === 'adam'
          ? Object.fromEntries(
              [M, V].map((slot) => [
                slot,
                Object.fromEntries(
                  settings.layers.map((l) => [geoloraNames(l).s, new Float64Array(rmax * rmax)]),
                ),
              ]),
            )
          : {},
      extra: {
        ranks: settings.layers.map(() => settings.rank),
        truncatedMass: settings.layers.map(() => 0),
      } satisfies GeoloraExtra,
    }),
    step: async (state, params, grads, lr) => {
      const geo = packageState(settings, params, state);
      const report = await geoloraStepWithCurvature(
        geo,
        grads,
        lr,
        curvature ?? (() => Promise.reject(new Error('no curvature hook'))),
      );
      state.t = geo.step;
      const extra: GeoloraExtra = {
        ranks: [...geo.ranks],
        truncatedMass: report.augmented ? [...report.truncatedMass] : extraOf(state).truncatedMass,
      };
      if (geo.adam) {
        extra.adamT = geo.adam.t;
        settings.layers.forEach((l, i) => {
          const r = geo.ranks[i];
          const block = { rows: r, cols: r };
          const name = geoloraNames(l).s;
          state.slots[M][name].set(embed({ ...block, data: geo.adam!.m[i] }, rmax, rmax));
          state.slots[V][name].set(embed({ ...block, data: geo.adam!.v[i] }, rmax, rmax));
        });
      }
      state.extra = extra as unknown as Record<string, unknown>;
    },
  };
}

/** Ranks of a GeoLoRA network from its parameters: the nonzero leading columns of each `U`. */
export function geoloraRanks(settings: ResolvedGeoloraConfig, params: ParamValues): number[] {
  const { rmax } = settings;
  return settings.layers.map((l) => {
    const u = params[geoloraNames(l).u];
    const rows = u.shape[0];
    let r = 0;
    for (let j = 0; j < rmax; j++) {
      let nonzero = false;
      for (let i = 0; i < rows && !nonzero; i++) nonzero = u.data[i * rmax + j] !== 0;
      if (nonzero) r = j + 1;
    }
    return Math.max(r, 1);
  });
}

/** `views` padded to `rmax` singular values per layer (zero `sigma`, zero columns of `u`, rows of `v`). */
export function padViews(views: readonly SvdView[], rmax: number): SvdView[] {
  return views.map((view) => {
    const [out, r] = view.u.shape;
    const [, inn] = view.v.shape;
    const u = new Float64Array(out * rmax);
    for (let i = 0; i < out; i++)
      u.set(view.u.data.subarray(i * r, (i + 1) * r) as Float64Array, i * rmax);
    const v = new Float64Array(rmax * inn);
    v.set(view.v.data as Float64Array);
    const sigma = new Float64Array(rmax);
    sigma.set(view.sigma);
    return {
      layer: view.layer,
      u: { shape: [out, rmax], data: u },
      sigma,
      v: { shape: [rmax, inn], data: v },
    };
  });
}

/** The SVD view of the app: each layer padded to `rmax`; `prune` maps the padded mask back. */
function geoloraPaddedSvd(settings: ResolvedGeoloraConfig): SvdAdapter<ParamValues> {
  const stateOf = (params: ParamValues): GeoloraState =>
    ({
      config: settings,
      sizes: settings.layers.map((l) => {
        const n = geoloraNames(l);
        return [params[n.u].shape[0], params[n.v].shape[0]] as const;
      }),
      params,
      ranks: geoloraRanks(settings, params),
      step: 0,
    }) satisfies GeoloraState;
  return {
    name: 'geolora',
    svdView: (params) => padViews(geoloraSvdAdapter.svdView(stateOf(params)), settings.rmax),
    prune: (params, keep) => {
      const state = stateOf(params);
      const active: number[] = [];
      state.ranks.forEach((r, i) => {
        for (let j = 0; j < r; j++) active.push(keep[i * settings.rmax + j]);
      });
      return { ...params, ...geoloraSvdAdapter.prune(state, active).params };
    },
  };
}

/**
 * Per adapted layer: its rank, the stable rank `||dW||_F^2 / ||dW||_2^2` of
 * its update (from the singular values of the `r x r` block of `S`, since
 * `U`, `V` are orthonormal; 0 while `S = 0`), and the squared-mass share its
 * last truncation dropped.
 */
export function geoloraDiagnostics(
  settings: ResolvedGeoloraConfig,
  params: ParamValues,
  state?: OptimizerState,
): { rank: number[]; stableRank: number[]; truncatedMass?: number[] } {
  const extra = state?.extra as GeoloraExtra | undefined;
  const rank = extra?.ranks ? [...extra.ranks] : geoloraRanks(settings, params);
  const stableRank = settings.layers.map((l, i) => {
    const s = svd(leadingBlock(params[geoloraNames(l).s].data, settings.rmax, rank[i], rank[i])).s;
    const top = s[0] ?? 0;
    return top === 0 ? 0 : s.reduce((acc, x) => acc + x * x, 0) / (top * top);
  });
  return {
    rank,
    stableRank,
    ...(extra?.truncatedMass ? { truncatedMass: [...extra.truncatedMass] } : {}),
  };
}

/** The `geolora` adapter. */
export const geolora: PinnAdapter = {
  name: 'geolora',
  network: (config, shape): NetworkSpec => {
    const settings = geoloraSettings(config);
    return { shape, layers: (values) => geoloraLayers(shape, settings, values) };
  },
  init: (config, net, rng) => initGeolora(net.shape, geoloraSettings(config), rng).params,
  optimizer: geoloraOptimizer,
  svd: (config) => geoloraPaddedSvd(geoloraSettings(config)),
  diagnostics: (config, _net, params, state) =>
    geoloraDiagnostics(geoloraSettings(config), params, state),
};
