/**
 * GeoLoRA's settings, their defaults and their validation. Every problem is a
 * one-line `InputError` naming the key (`geolora.tau: ...`).
 */
import { METHODS, type MethodName } from '@sublora/rank-determination';
import { InputError } from '@sublora/tensor';

/**
 * How the rank is chosen after each augmentation:
 * - `tau`: per layer, by the tolerance `tau` under `rule`;
 * - `budget-<method>`: across all adapted layers, keep `budget` singular values
 *   chosen by a method of `@sublora/rank-determination` (`budget-magnitude`:
 *   the `budget` largest; the others need the gradient and Hessian of the
 *   loss w.r.t. the candidate singular values, see `geoloraStepWithCurvature`).
 */
export type Truncation = 'tau' | `budget-${MethodName}`;

/** Every value {@link Truncation} takes. */
export const TRUNCATIONS: readonly Truncation[] = [
  'tau',
  ...METHODS.map((m) => `budget-${m}` as const),
];

/**
 * The tolerance rule of `truncation: 'tau'`, with `s` the augmented matrix's
 * singular values and `r` the new rank:
 * - `paper` (default): the smallest `r >= 1` with
 *   `sum_{i > r} s_i^2 < tau * sum_i s_i^2` (the paper's eq. 9, threshold
 *   `tau ||S^||_F^2`);
 * - `authors`: the smallest `r` with `||s_{i > r}||_2 < tau ||s||_2`, then
 *   raised to at least 2 (the authors' `pdlrt/layer.py`).
 */
export type TauRule = 'paper' | 'authors';

/** How `S` moves between augmentations. */
export type SOptimizer = 'plain' | 'adam';

/** GeoLoRA settings (`geolora.*` keys). */
export interface GeoloraConfig {
  /** Indices of adapted layers (weights `W<l>`). */
  readonly layers: readonly number[];
  /** Largest rank per layer; storage is preallocated at this size. */
  readonly rmax: number;
  /** Starting rank per layer (default `ceil(rmax / 2)`, so the first augmentation has room). */
  readonly rank?: number;
  /** Default `'tau'`. */
  readonly truncation?: Truncation;
  /** Tolerance in (0, 1) of `truncation: 'tau'` (default 0.15, the paper's GLUE runs). */
  readonly tau?: number;
  /** Default `'paper'`. */
  readonly rule?: TauRule;
  /** Singular values kept across all layers in budget mode (integer in [1, layers x rmax]). */
  readonly budget?: number;
  /**
   * `plain` (default): every step is the paper's step. `adam`: a GeoLoRA step
   * every `augmentEvery` steps and Adam on `S` (bases fixed) in between.
   */
  readonly optimizer?: SOptimizer;
  /** Steps per augmentation (default 1 with `plain`, 10 with `adam`). */
  readonly augmentEvery?: number;
  /** Seed of `budget-sublora-r` (default 0). */
  readonly seed?: number;
}

/** A {@link GeoloraConfig} with every default filled in. */
export interface ResolvedGeoloraConfig {
  readonly layers: readonly number[];
  readonly rmax: number;
  readonly rank: number;
  readonly truncation: Truncation;
  readonly tau: number;
  readonly rule: TauRule;
  /** `undefined` with `truncation: 'tau'`. */
  readonly budget: number | undefined;
  readonly optimizer: SOptimizer;
  readonly augmentEvery: number;
  readonly seed: number;
}

const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x);

/**
 * Fills in defaults and checks `config` against the adapted layers' sizes
 * (`[out, in]` per entry of `config.layers`).
 */
export function resolveGeoloraConfig(
  config: GeoloraConfig,
  sizes: readonly (readonly [number, number])[],
): ResolvedGeoloraConfig {
  const { layers, rmax } = config;
  if (!Array.isArray(layers) || layers.length === 0 || !layers.every(isInt))
    throw new InputError('geolora.layers', 'needs at least one layer index (integers)');
  if (new Set(layers).size !== layers.length)
    throw new InputError('geolora.layers', `${layers.join(', ')} names a layer twice`);
  if (!isInt(rmax) || rmax < 1)
    throw new InputError('geolora.rmax', `${rmax} is not an integer >= 1`);
  if (sizes.length !== layers.length)
    throw new InputError(
      'sizes',
      `${sizes.length} layer sizes given for ${layers.length} adapted layers; pass one [out, in] per layer`,
    );
  layers.forEach((l, i) => {
    const [out, inn] = sizes[i];
    if (rmax > Math.min(out, inn))
      throw new InputError(
        'geolora.rmax',
        `${rmax} exceeds layer ${l}'s ${out} x ${inn}; use at most ${Math.min(out, inn)}`,
      );
  });
  const rank = config.rank ?? Math.ceil(rmax / 2);
  if (!isInt(rank) || rank < 1 || rank > rmax)
    throw new InputError('geolora.rank', `${rank} is not an integer in [1, rmax = ${rmax}]`);
  const truncation = config.truncation ?? 'tau';
  if (!TRUNCATIONS.includes(truncation))
    throw new InputError(
      'geolora.truncation',
      `'${String(truncation)}' is not one of ${TRUNCATIONS.join(', ')}`,
    );
  const tau = config.tau ?? 0.15;
  if (!(typeof tau === 'number' && tau > 0 && tau < 1))
    throw new InputError('geolora.tau', `${tau} is not a number in (0, 1)`);
  const rule = config.rule ?? 'paper';
  if (rule !== 'paper' && rule !== 'authors')
    throw new InputError('geolora.rule', `'${String(rule)}' is not 'paper' or 'authors'`);
  const total = rmax * layers.length;
  let budget: number | undefined;
  if (truncation !== 'tau') {
    budget = config.budget;
    if (budget === undefined)
      throw new InputError(
        'geolora.budget',
        `is required with truncation '${truncation}' (an integer in [1, ${total}])`,
      );
    if (!isInt(budget) || budget < 1)
      throw new InputError('geolora.budget', `${budget} is not an integer >= 1`);
    if (budget > total)
      throw new InputError(
        'geolora.budget',
        `${budget} exceeds the total rmax ${total} (${layers.length} layers x ${rmax}); use at most ${total}`,
      );
  }
  const optimizer = config.optimizer ?? 'plain';
  if (optimizer !== 'plain' && optimizer !== 'adam')
    throw new InputError('geolora.optimizer', `'${String(optimizer)}' is not 'plain' or 'adam'`);
  const augmentEvery = config.augmentEvery ?? (optimizer === 'adam' ? 10 : 1);
  if (!isInt(augmentEvery) || augmentEvery < 1)
    throw new InputError('geolora.augmentEvery', `${augmentEvery} is not an integer >= 1`);
  const seed = config.seed ?? 0;
  if (!isInt(seed)) throw new InputError('geolora.seed', `${seed} is not an integer`);
  return { layers, rmax, rank, truncation, tau, rule, budget, optimizer, augmentEvery, seed };
}
