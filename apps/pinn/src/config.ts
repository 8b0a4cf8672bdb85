/**
 * The one experiment configuration: every knob of pretraining, LoRA
 * fine-tuning, rank determination and alternating training, three presets,
 * and validation with one-line errors naming the key.
 */
import { parseBackendName } from '@sublora/backends';
import { EXACT_MAX_RANK, METHODS, type MethodName } from '@sublora/rank-determination';
import { InputError } from '@sublora/tensor';
import { PDE_NAMES, type PdeName } from './pdes';

/** Learning-rate schedules offered by `@sublora/nn`. */
export const SCHEDULE_NAMES = ['constant', 'cosine', 'step'] as const;

/** A resolved, validated configuration. */
export interface PinnConfig {
  /** Run name: outputs go to `runs/<name>/`. */
  readonly name: string;
  readonly preset: string;
  readonly pde: PdeName;
  /** lambda of the pretraining problem (paper: (1, 0)). */
  readonly pretrainLambda: readonly [number, number];
  /** Fine-tuning targets (paper: (1,1), (1,5), (2,1)). */
  readonly targetLambdas: readonly (readonly [number, number])[];
  readonly network: {
    /** Hidden width (paper: 1000). */
    readonly width: number;
    /** Number of hidden layers (paper: 3); LoRA adapts the depth - 1 hidden-to-hidden matrices. */
    readonly depth: number;
    /** LoRA rank per adapted layer (paper: 50). */
    readonly rank: number;
    /** Initial scale of U and V entries (AdaLoRA: N(0, 0.02^2)); sigma starts at 0. */
    readonly loraInitScale: number;
    /** Weight of the AdaLoRA orthogonality regulariser ||U^T U - I||^2 + ||V V^T - I||^2 (0 = off). */
    readonly orthogonality: number;
  };
  /** Collocation point counts; `initial` is unused by the elliptic problem. */
  readonly points: {
    readonly interior: number;
    readonly boundary: number;
    readonly initial: number;
  };
  /** Weight mu_b of the boundary and initial terms (interior weight is 1). */
  readonly muB: number;
  readonly optimizer: {
    readonly pretrainLr: number;
    readonly finetuneLr: number;
    readonly schedule: (typeof SCHEDULE_NAMES)[number];
    /** For `step`: multiply the rate by `stepGamma` every `stepEvery` epochs. */
    readonly stepEvery: number;
    readonly stepGamma: number;
  };
  /** One epoch = one full-batch Adam step over all collocation points. */
  readonly epochs: { readonly pretrain: number; readonly finetune: number };
  readonly determination: {
    /** Budgets for training-free determination. */
    readonly budgets: readonly number[];
    /** `absolute`: budgets count singular values; `fraction`: of r = rank x adapted layers. */
    readonly budgetUnit: 'absolute' | 'fraction';
    readonly methods: readonly MethodName[];
  };
  readonly alternating: {
    /** Outer rounds T (paper: 5). */
    readonly rounds: number;
    /** Adam epochs per round E (paper: 100). */
    readonly epochs: number;
    /** Budget b, in `determination.budgetUnit` (paper: 40). */
    readonly budget: number;
    readonly methods: readonly MethodName[];
    /** Also run the AdaLoRA-style baseline (|g sigma| with a cubic budget schedule). */
    readonly adaloraBaseline: boolean;
  };
  readonly evaluation: { readonly resolution: number; readonly timeSteps: number };
  readonly seeds: readonly number[];
  /**
   * Backend for `@sublora/backends`: `auto` (the `--backend` flag, else
   * `SUBLORA_BACKEND`, else `sublora.config.json`, else `reference`) or a name
   * such as `reference`, `tfjs`, `tfjs:wasm`, `onnxruntime`.
   */
  readonly backend: string;
  /** Save a checkpoint every this many epochs (0 = only at phase ends). */
  readonly checkpointEvery: number;
}

/** A partial configuration: any subset of keys, nested like {@link PinnConfig}. */
export type ConfigOverrides = { readonly [key: string]: unknown };

const PAPER_LAMBDAS: [number, number][] = [
  [1, 1],
  [1, 5],
  [2, 1],
];
const ALL_BUT_EXACT: MethodName[] = METHODS.filter((m) => m !== 'exact');

/** `paper`: the sizes of the SubLoRA paper (hours on a CPU; use a GPU backend). */
const paper: PinnConfig = {
  name: 'paper',
  preset: 'paper',
  pde: 'elliptic',
  pretrainLambda: [1, 0],
  targetLambdas: PAPER_LAMBDAS,
  network: { width: 1000, depth: 3, rank: 50, loraInitScale: 0.02, orthogonality: 0 },
  points: { interior: 2000, boundary: 400, initial: 400 },
  muB: 10,
  optimizer: {
    pretrainLr: 1e-3,
    finetuneLr: 1e-3,
    schedule: 'cosine',
    stepEvery: 1000,
    stepGamma: 0.5,
  },
  epochs: { pretrain: 5000, finetune: 2000 },
  determination: {
    budgets: [20, 30, 40, 50, 60, 70, 80, 90, 100],
    budgetUnit: 'absolute',
    methods: ALL_BUT_EXACT,
  },
  alternating: {
    rounds: 5,
    epochs: 100,
    budget: 40,
    methods: ['linear', 'diag', 'sublora-g', 'sublora-r'],
    adaloraBaseline: true,
  },
  evaluation: { resolution: 101, timeSteps: 11 },
  seeds: [0],
  backend: 'auto',
  checkpointEvery: 500,
};

/**
 * `small`: a narrow network that runs in minutes on two CPU cores. With
 * r = 16 every method, `exact` included, runs in determination and in
 * alternating training. The fine-tuning rate and length were tuned on the
 * hardest targets (apps/pinn README, "Choosing the small preset").
 */
const small: PinnConfig = {
  ...paper,
  name: 'small',
  preset: 'small',
  targetLambdas: [[1, 1]],
  network: { width: 24, depth: 3, rank: 8, loraInitScale: 0.02, orthogonality: 0 },
  points: { interior: 256, boundary: 64, initial: 64 },
  optimizer: { ...paper.optimizer, pretrainLr: 5e-3, finetuneLr: 2e-2 },
  epochs: { pretrain: 1500, finetune: 1500 },
  determination: {
    budgets: [0.2, 0.4, 0.6, 0.8, 1],
    budgetUnit: 'fraction',
    methods: [...METHODS],
  },
  alternating: {
    rounds: 3,
    epochs: 100,
    budget: 0.4,
    methods: [...METHODS],
    adaloraBaseline: true,
  },
  evaluation: { resolution: 41, timeSteps: 5 },
  seeds: [0, 1, 2],
  checkpointEvery: 250,
};

/** `smoke`: seconds; what the tests run end to end. */
const smoke: PinnConfig = {
  ...small,
  name: 'smoke',
  preset: 'smoke',
  network: { width: 6, depth: 3, rank: 3, loraInitScale: 0.02, orthogonality: 0 },
  points: { interior: 24, boundary: 12, initial: 8 },
  epochs: { pretrain: 60, finetune: 30 },
  optimizer: { ...small.optimizer, pretrainLr: 1e-2, finetuneLr: 1e-2 },
  determination: { budgets: [2, 4, 6], budgetUnit: 'absolute', methods: [...METHODS] },
  alternating: {
    rounds: 2,
    epochs: 5,
    budget: 3,
    methods: ['linear', 'sublora-g'],
    adaloraBaseline: true,
  },
  evaluation: { resolution: 9, timeSteps: 3 },
  seeds: [0],
  checkpointEvery: 20,
};

/** The presets by name. */
export const PRESETS: Readonly<Record<string, PinnConfig>> = { smoke, small, paper };

// ---------------------------------------------------------------------------
// validation

type Check = (key: string, value: unknown) => unknown;

const fail = (key: string, message: string): never => {
  throw new InputError(`config.${key}`, message);
};
const show = (v: unknown): string =>
  typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));

const integer =
  (min: number, max = Number.MAX_SAFE_INTEGER): Check =>
  (key, v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max
      ? v
      : fail(
          key,
          `must be an integer in [${min}, ${max === Number.MAX_SAFE_INTEGER ? 'inf' : max}] (got ${show(v)})`,
        );

const positive: Check = (key, v) =>
  typeof v === 'number' && Number.isFinite(v) && v > 0
    ? v
    : fail(key, `must be a finite number > 0 (got ${show(v)})`);
const nonNegative: Check = (key, v) =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0
    ? v
    : fail(key, `must be a finite number >= 0 (got ${show(v)})`);
const finite: Check = (key, v) =>
  typeof v === 'number' && Number.isFinite(v)
    ? v
    : fail(key, `must be a finite number (got ${show(v)})`);
const oneOf =
  (options: readonly string[]): Check =>
  (key, v) =>
    typeof v === 'string' && options.includes(v)
      ? v
      : fail(key, `must be one of ${options.join(', ')} (got ${show(v)})`);
const bool: Check = (key, v) =>
  typeof v === 'boolean' ? v : fail(key, `must be true or false (got ${show(v)})`);
const runName: Check = (key, v) =>
  typeof v === 'string' && /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(v)
    ? v
    : fail(key, `must be a name of letters, digits, '.', '_' or '-' (got ${show(v)})`);
const listOf =
  (item: Check, minLength = 1): Check =>
  (key, v) => {
    if (!Array.isArray(v) || v.length < minLength)
      return fail(
        key,
        `must be a list with at least ${minLength} entr${minLength === 1 ? 'y' : 'ies'} (got ${show(v)})`,
      );
    return v.map((x, i) => item(`${key}[${i}]`, x));
  };
const pair: Check = (key, v) =>
  Array.isArray(v) && v.length === 2
    ? [finite(`${key}[0]`, v[0]), finite(`${key}[1]`, v[1])]
    : fail(key, `must be a pair [lambda1, lambda2] (got ${show(v)})`);

const backendName: Check = (key, v) => {
  if (v === 'auto') return v;
  if (typeof v !== 'string')
    return fail(key, `must be 'auto' or a backend name such as 'reference' (got ${show(v)})`);
  try {
    parseBackendName(v, 'argument');
  } catch (e) {
    return fail(key, (e as Error).message.replace(/^backend: /, ''));
  }
  return v;
};

/** Every key with its check; nested objects are listed by dotted path. */
const SCHEMA: Record<string, Check> = {
  name: runName,
  preset: oneOf(Object.keys({ smoke, small, paper })),
  pde: oneOf(PDE_NAMES),
  pretrainLambda: pair,
  targetLambdas: listOf(pair),
  'network.width': integer(1, 100000),
  'network.depth': integer(2, 64),
  'network.rank': integer(1, 100000),
  'network.loraInitScale': nonNegative,
  'network.orthogonality': nonNegative,
  'points.interior': integer(1),
  'points.boundary': integer(1),
  'points.initial': integer(1),
  muB: nonNegative,
  'optimizer.pretrainLr': positive,
  'optimizer.finetuneLr': positive,
  'optimizer.schedule': oneOf(SCHEDULE_NAMES),
  'optimizer.stepEvery': integer(1),
  'optimizer.stepGamma': positive,
  'epochs.pretrain': integer(0),
  'epochs.finetune': integer(0),
  'determination.budgets': listOf(nonNegative),
  'determination.budgetUnit': oneOf(['absolute', 'fraction']),
  'determination.methods': listOf(oneOf(METHODS)),
  'alternating.rounds': integer(1),
  'alternating.epochs': integer(0),
  'alternating.budget': nonNegative,
  'alternating.methods': listOf(oneOf(METHODS), 0),
  'alternating.adaloraBaseline': bool,
  'evaluation.resolution': integer(3, 10000),
  'evaluation.timeSteps': integer(1, 10000),
  seeds: listOf(integer(0)),
  backend: backendName,
  checkpointEvery: integer(0),
};

/** The dotted keys a configuration accepts (for `--set key=value` and docs). */
export const CONFIG_KEYS: readonly string[] = Object.keys(SCHEMA);

function flatten(
  obj: ConfigOverrides,
  prefix = '',
  out: Record<string, unknown> = {},
): Record<string, unknown> {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && !(key in SCHEMA))
      flatten(v as ConfigOverrides, key, out);
    else out[key] = v;
  }
  return out;
}

function unflatten(flat: Record<string, unknown>): PinnConfig {
  const root: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flat)) {
    const parts = key.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
    node[parts[parts.length - 1]] = value;
  }
  return root as unknown as PinnConfig;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

function nearest(key: string): string {
  const scored = CONFIG_KEYS.map(
    (k) => [k, editDistance(k.toLowerCase(), key.toLowerCase())] as const,
  ).sort((x, y) => x[1] - y[1]);
  return scored[0][1] <= 3
    ? `; did you mean '${scored[0][0]}'?`
    : `; known keys: ${CONFIG_KEYS.join(', ')}`;
}

/** Number of adapted singular values r = rank x (depth - 1). */
export function totalRank(config: PinnConfig): number {
  return config.network.rank * (config.network.depth - 1);
}

/** Converts a budget in the config's unit to a count of singular values. */
export function budgetCount(config: PinnConfig, budget: number): number {
  const r = totalRank(config);
  return config.determination.budgetUnit === 'fraction' ? Math.round(budget * r) : budget;
}

function checkBudgets(config: PinnConfig): void {
  const r = totalRank(config);
  const unit = config.determination.budgetUnit;
  const checkOne = (key: string, b: number): void => {
    if (unit === 'fraction' && b > 1)
      fail(
        key,
        `${b} is a fraction of r and must be in [0, 1]; set determination.budgetUnit = "absolute" for counts`,
      );
    if (unit === 'absolute' && (!Number.isInteger(b) || b > r))
      fail(
        key,
        `must be an integer in [0, r = ${r}] (got ${b}); r = network.rank x (network.depth - 1)`,
      );
  };
  config.determination.budgets.forEach((b, i) => checkOne(`determination.budgets[${i}]`, b));
  checkOne('alternating.budget', config.alternating.budget);
  for (const key of ['determination', 'alternating'] as const) {
    if (config[key].methods.includes('exact') && r > EXACT_MAX_RANK) {
      fail(
        `${key}.methods`,
        `'exact' is branch and bound over r = ${r} singular values; drop it or keep r <= ${EXACT_MAX_RANK}`,
      );
    }
  }
}

/**
 * Resolves a preset plus overrides into a validated configuration.
 * @param preset - `smoke`, `small` or `paper`
 * @param overrides - nested or dotted keys (`{ network: { width: 8 } }` or `{ 'network.width': 8 }`)
 * @throws InputError naming the offending key (`config.network.width: ...`)
 */
export function resolveConfig(preset: string, overrides: ConfigOverrides = {}): PinnConfig {
  const base = PRESETS[preset];
  if (base === undefined)
    throw new InputError(
      'preset',
      `unknown preset ${show(preset)}; use one of ${Object.keys(PRESETS).join(', ')}`,
    );
  const flat = flatten(base as unknown as ConfigOverrides);
  for (const [key, value] of Object.entries(flatten(overrides))) {
    if (!(key in SCHEMA)) fail(key, `is not a configuration key${nearest(key)}`);
    flat[key] = value;
  }
  flat.preset = preset;
  const checked: Record<string, unknown> = {};
  for (const [key, check] of Object.entries(SCHEMA)) checked[key] = check(key, flat[key]);
  const config = unflatten(checked);
  checkBudgets(config);
  return config;
}

/**
 * Parses a `key=value` override from the command line. Values are JSON when
 * they parse as JSON (`8`, `[0,1]`, `true`), else plain strings.
 */
export function parseOverride(text: string): [string, unknown] {
  const eq = text.indexOf('=');
  if (eq <= 0)
    throw new InputError(
      '--set',
      `expected key=value (got ${show(text)}); e.g. --set network.width=16`,
    );
  const key = text.slice(0, eq).trim();
  const raw = text.slice(eq + 1).trim();
  try {
    return [key, JSON.parse(raw)];
  } catch {
    return [key, raw];
  }
}
