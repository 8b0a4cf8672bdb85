/**
 * The one experiment configuration: every knob of pretraining, LoRA
 * fine-tuning, rank determination and alternating training, three presets,
 * and validation (a zod schema) with one-line errors naming the key: the
 * first problem, the nearest valid key for a misspelt one, and how many more
 * problems there are.
 */
import { parseBackendName } from '@sublora/backends';
import {
  type SOptimizer,
  type TauRule,
  type Truncation,
  TRUNCATIONS,
  resolveGeoloraConfig,
} from '@sublora/geolora';
import { hiddenToHidden } from '@sublora/nn';
import { EXACT_MAX_RANK, METHODS, type MethodName } from '@sublora/rank-determination';
import { InputError } from '@sublora/tensor';
import * as A from 'fp-ts/ReadonlyArray';
import * as E from 'fp-ts/Either';
import { pipe } from 'fp-ts/function';
import * as RNEA from 'fp-ts/ReadonlyNonEmptyArray';
import leven from 'leven';
import { z } from 'zod';
import { PDE_NAMES, type PdeName } from './pdes';

/** Adapter families for fine-tuning (`apps/pinn/src/adapters/`). */
export const ADAPTER_NAMES = ['lora-svd', 'polar', 'geolora'] as const;

/** The name of an adapter family. */
export type AdapterName = (typeof ADAPTER_NAMES)[number];

/** Learning-rate schedules offered by `@sublora/nn`. */
export const SCHEDULE_NAMES = ['constant', 'cosine', 'step'] as const;

/** One phase's Adam learning rate and schedule. */
export interface LearningRate {
  readonly lr: number;
  readonly schedule: (typeof SCHEDULE_NAMES)[number];
  /** For `step`: multiply the rate by `stepGamma` every `stepEvery` epochs. */
  readonly stepEvery: number;
  readonly stepGamma: number;
}

/** PoLAR's settings: `Delta W = (alpha / rank) X Theta Y^T` on the hidden-to-hidden layers. */
export interface PolarConfig {
  /** Rank per adapted layer (presets: `network.rank`, so LoRA-SVD and PoLAR compare at one rank). */
  readonly rank: number;
  /** Pull of the landing field towards orthonormal X, Y (the authors' 1). */
  readonly lambda: number;
  /** Update scale numerator (presets: the rank, so the scale is 1). */
  readonly alpha: number;
  /** `landing` (the authors' default) or `retraction` (Riemannian step + QR). */
  readonly step: 'landing' | 'retraction';
  readonly theta: 'full' | 'diagonal';
}

/** PoLAR's defaults at rank `rank`. */
const polarAt = (rank: number): PolarConfig => ({
  rank,
  lambda: 1,
  alpha: rank,
  step: 'landing',
  theta: 'full',
});

/**
 * GeoLoRA's settings (`@sublora/geolora`) on the hidden-to-hidden layers;
 * see apps/pinn/docs/adapters.md.
 */
export interface GeoloraSettings {
  /** Largest rank per adapted layer (presets: `network.rank`); storage and determination use it. */
  readonly rmax: number;
  /** Starting rank per layer (presets: `ceil(rmax / 2)`). */
  readonly rank: number;
  /** `tau` (per layer) or `budget-<method>` (global, any rank-determination method). */
  readonly truncation: Truncation;
  /** Tolerance in (0, 1) of `truncation = tau`. */
  readonly tau: number;
  /** `paper` (eq. 9: squared-mass share) or `authors` (norm share, rank >= 2). */
  readonly rule: TauRule;
  /** Singular values kept across all adapted layers with `budget-*` truncations. */
  readonly budget: number;
  /** `plain` (the paper's step every epoch) or `adam` (Adam on S between augmentations). */
  readonly optimizer: SOptimizer;
  /** Epochs per augmentation (1 with `plain`). */
  readonly augmentEvery: number;
}

/** GeoLoRA's defaults at largest rank `rmax`: the paper's step and rule, tau 0.15. */
const geoloraAt = (rmax: number): GeoloraSettings => ({
  rmax,
  rank: Math.ceil(rmax / 2),
  truncation: 'tau',
  tau: 0.15,
  rule: 'paper',
  budget: rmax,
  optimizer: 'plain',
  augmentEvery: 1,
});

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
  /** The adapter family fine-tuning trains (paper: `lora-svd`). */
  readonly adapter: AdapterName;
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
  /** PoLAR's adapter (`adapter = polar`; apps/pinn/docs/adapters.md). */
  readonly polar: PolarConfig;
  /** GeoLoRA's adapter (`adapter = geolora`; apps/pinn/docs/adapters.md). */
  readonly geolora: GeoloraSettings;
  /** Collocation point counts; `initial` is unused by the elliptic problem. */
  readonly points: {
    readonly interior: number;
    readonly boundary: number;
    readonly initial: number;
    /**
     * Boundary angles: `random` (uniform draws) or `equispaced`
     * (theta_i = 2 pi i / boundary; times stay random for time-dependent PDEs).
     */
    readonly boundarySampling: 'random' | 'equispaced';
  };
  /** Weight mu_b of the boundary and initial terms (interior weight is 1). */
  readonly muB: number;
  /** Adam's learning rate and its schedule, separately for pretraining and fine-tuning. */
  readonly optimizer: {
    readonly pretrain: LearningRate;
    /** Fine-tuning; alternating training restarts this schedule every round. */
    readonly finetune: LearningRate;
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
  /** How `experiment` runs its task list (`--executor`, apps/pinn/docs/grids.md). */
  readonly grid: GridSettings;
}

/** Executor settings: parallelism, and what each worker asks a cluster for. */
export interface GridSettings {
  /** Worker processes (`local`), array tasks at once (`slurm`, `%P`), pods at once (`k8s`). */
  readonly parallel: number;
  readonly cpus: number;
  readonly memoryMiB: number;
  /** Wall-clock limit of one task. */
  readonly timeMinutes: number;
  readonly gpus: number;
  /** Slurm partition and account ('' = the cluster's default). */
  readonly partition: string;
  readonly account: string;
  /** Kubernetes: container image with `sublora-pinn`, the ReadWriteMany claim holding `runs/`, and its mount path. */
  readonly image: string;
  readonly claimName: string;
  readonly mountPath: string;
  /** How long a worker waits for the outputs of an earlier phase before giving up. */
  readonly waitMinutes: number;
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
  adapter: 'lora-svd',
  network: { width: 1000, depth: 3, rank: 50, loraInitScale: 0.02, orthogonality: 0 },
  polar: polarAt(50),
  geolora: geoloraAt(50),
  points: { interior: 2000, boundary: 400, initial: 400, boundarySampling: 'random' },
  muB: 10,
  optimizer: {
    pretrain: { lr: 1e-3, schedule: 'cosine', stepEvery: 1000, stepGamma: 0.5 },
    finetune: { lr: 1e-3, schedule: 'cosine', stepEvery: 1000, stepGamma: 0.5 },
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
  grid: {
    parallel: 4,
    cpus: 2,
    memoryMiB: 8192,
    timeMinutes: 720,
    gpus: 0,
    partition: '',
    account: '',
    image: 'sublora-pinn:latest',
    claimName: 'sublora-runs',
    mountPath: '/runs',
    waitMinutes: 60,
  },
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
  polar: polarAt(8),
  geolora: geoloraAt(8),
  points: { ...paper.points, interior: 256, boundary: 64, initial: 64 },
  optimizer: {
    pretrain: { ...paper.optimizer.pretrain, lr: 5e-3 },
    finetune: { ...paper.optimizer.finetune, lr: 2e-2 },
  },
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
  grid: { ...paper.grid, parallel: 1, memoryMiB: 4096, timeMinutes: 60 },
};

/**
 * `medium`: width 256, rank 32 per layer (r = 64), 1024 interior / 256
 * boundary points, the paper's three targets, 3 seeds: the scale where the
 * method ranking was seen to change. Rates from a 4-point check on the
 * hardest elliptic target (apps/pinn/docs/grids.md); alternating runs the
 * first-order, diagonal and SubLoRA-G methods plus the AdaLoRA baseline, and
 * determination every method but `exact` (branch and bound at r = 64).
 */
const medium: PinnConfig = {
  ...small,
  name: 'medium',
  preset: 'medium',
  targetLambdas: PAPER_LAMBDAS,
  network: { ...small.network, width: 256, rank: 32 },
  polar: polarAt(32),
  geolora: geoloraAt(32),
  points: { ...small.points, interior: 1024, boundary: 256, initial: 256 },
  epochs: { pretrain: 1500, finetune: 800 },
  determination: { ...small.determination, methods: ALL_BUT_EXACT },
  alternating: { ...small.alternating, methods: ['linear', 'diag', 'sublora-g'] },
  grid: { ...paper.grid, parallel: 2, memoryMiB: 4096, timeMinutes: 120 },
};

/** `smoke`: seconds; what the tests run end to end. */
const smoke: PinnConfig = {
  ...small,
  name: 'smoke',
  preset: 'smoke',
  network: { width: 6, depth: 3, rank: 3, loraInitScale: 0.02, orthogonality: 0 },
  polar: polarAt(3),
  geolora: geoloraAt(3),
  points: { ...small.points, interior: 24, boundary: 12, initial: 8 },
  epochs: { pretrain: 60, finetune: 30 },
  optimizer: {
    pretrain: { ...small.optimizer.pretrain, lr: 1e-2 },
    finetune: { ...small.optimizer.finetune, lr: 1e-2 },
  },
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
  grid: { ...small.grid, cpus: 1, memoryMiB: 2048, timeMinutes: 10, waitMinutes: 10 },
};

/** The presets by name. */
export const PRESETS: Readonly<Record<string, PinnConfig>> = { smoke, small, medium, paper };

// ---------------------------------------------------------------------------
// validation: a zod schema; every issue reads `config.<key>: must be ... (got ...)`

const show = (v: unknown): string =>
  typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v));

/** zod's error option for a leaf: every failing check of it says what the key must be. */
const mustBe = (what: string) => ({
  error: (issue: { input?: unknown }) => `must be ${what} (got ${show(issue.input)})`,
});

const integer = (min: number, max = Number.MAX_SAFE_INTEGER) => {
  const e = mustBe(`an integer in [${min}, ${max === Number.MAX_SAFE_INTEGER ? 'inf' : max}]`);
  return z.number(e).int(e).min(min, e).max(max, e);
};
// zod numbers are finite: NaN and Infinity fail the type check
const positive = z.number(mustBe('a finite number > 0')).gt(0, mustBe('a finite number > 0'));
const nonNegative = z.number(mustBe('a finite number >= 0')).min(0, mustBe('a finite number >= 0'));
const finite = z.number(mustBe('a finite number'));
const openUnit = z
  .number(mustBe('a number in (0, 1)'))
  .gt(0, mustBe('a number in (0, 1)'))
  .lt(1, mustBe('a number in (0, 1)'));
const oneOf = <T extends string>(options: readonly T[]) =>
  z.enum(options as [T, ...T[]], mustBe(`one of ${options.join(', ')}`));
const listOf = <T extends z.ZodType>(item: T, minLength = 1) => {
  const e = mustBe(`a list with at least ${minLength} entr${minLength === 1 ? 'y' : 'ies'}`);
  return z.array(item, e).min(minLength, e);
};
const pair = z.tuple([finite, finite], mustBe('a pair [lambda1, lambda2]'));
const runName = z
  .string(mustBe("a name of letters, digits, '.', '_' or '-'"))
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, mustBe("a name of letters, digits, '.', '_' or '-'"));
const backendName = z
  .string(mustBe("'auto' or a backend name such as 'reference'"))
  .superRefine((v, ctx) => {
    if (v === 'auto') return;
    try {
      parseBackendName(v, 'argument');
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message.replace(/^backend: /, '') });
    }
  });
const section = <T extends z.ZodRawShape>(shape: T) =>
  z.strictObject(shape, mustBe(`an object with keys ${Object.keys(shape).join(', ')}`));
const learningRate = section({
  lr: positive,
  schedule: oneOf(SCHEDULE_NAMES),
  stepEvery: integer(1),
  stepGamma: positive,
});

/** Every key with its check, nested like {@link PinnConfig}. */
const SCHEMA = section({
  name: runName,
  preset: oneOf(Object.keys({ smoke, small, medium, paper })),
  pde: oneOf(PDE_NAMES),
  pretrainLambda: pair,
  targetLambdas: listOf(pair),
  adapter: oneOf(ADAPTER_NAMES),
  network: section({
    width: integer(1, 100000),
    depth: integer(2, 64),
    rank: integer(1, 100000),
    loraInitScale: nonNegative,
    orthogonality: nonNegative,
  }),
  polar: section({
    rank: integer(1, 100000),
    lambda: nonNegative,
    alpha: positive,
    step: oneOf(['landing', 'retraction']),
    theta: oneOf(['full', 'diagonal']),
  }),
  geolora: section({
    rmax: integer(1, 100000),
    rank: integer(1, 100000),
    truncation: oneOf(TRUNCATIONS),
    tau: openUnit,
    rule: oneOf(['paper', 'authors']),
    budget: integer(1),
    optimizer: oneOf(['plain', 'adam']),
    augmentEvery: integer(1),
  }),
  points: section({
    interior: integer(1),
    boundary: integer(1),
    initial: integer(1),
    boundarySampling: oneOf(['random', 'equispaced']),
  }),
  muB: nonNegative,
  optimizer: section({ pretrain: learningRate, finetune: learningRate }),
  epochs: section({ pretrain: integer(0), finetune: integer(0) }),
  determination: section({
    budgets: listOf(nonNegative),
    budgetUnit: oneOf(['absolute', 'fraction']),
    methods: listOf(oneOf(METHODS)),
  }),
  alternating: section({
    rounds: integer(1),
    epochs: integer(0),
    budget: nonNegative,
    methods: listOf(oneOf(METHODS), 0),
    adaloraBaseline: z.boolean(mustBe('true or false')),
  }),
  evaluation: section({ resolution: integer(3, 10000), timeSteps: integer(1, 10000) }),
  seeds: listOf(integer(0)),
  backend: backendName,
  checkpointEvery: integer(0),
  grid: section({
    parallel: integer(1, 10000),
    cpus: integer(1, 1024),
    memoryMiB: integer(1),
    timeMinutes: integer(1),
    gpus: integer(0, 64),
    partition: z.string(mustBe('a Slurm partition name or ""')),
    account: z.string(mustBe('a Slurm account or ""')),
    image: z.string(mustBe('a container image name')).min(1, mustBe('a container image name')),
    claimName: z
      .string(mustBe('a PersistentVolumeClaim name'))
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, mustBe('a PersistentVolumeClaim name (DNS label)')),
    mountPath: z.string(mustBe('an absolute path')).regex(/^\//, mustBe('an absolute path')),
    waitMinutes: nonNegative,
  }),
});

/** The dotted leaf keys of a schema section. */
function leafKeys(shape: z.ZodRawShape, prefix = ''): string[] {
  return Object.entries(shape).flatMap(([k, v]) =>
    v instanceof z.ZodObject ? leafKeys(v.shape, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}

/** The dotted keys a configuration accepts (for `--set key=value` and docs). */
export const CONFIG_KEYS: readonly string[] = leafKeys(SCHEMA.shape);

/** `network.width`, `targetLambdas[1]`: a zod path as the key a user writes. */
function keyOf(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p)}`))
    .join('');
}

/** The nearest accepted key (leven distance at most 3), or the list of all. */
function nearest(key: string): string {
  const scored = CONFIG_KEYS.map(
    (k) => [k, leven(k.toLowerCase(), key.toLowerCase())] as const,
  ).sort((x, y) => x[1] - y[1]);
  return scored[0][1] <= 3
    ? `; did you mean '${scored[0][0]}'?`
    : `; known keys: ${CONFIG_KEYS.join(', ')}`;
}

/** One problem of a configuration: the key it names and what is wrong. */
export interface ConfigProblem {
  readonly key: string;
  readonly message: string;
}
type Problem = ConfigProblem;

/** Every problem of a configuration, at least one (the Left of {@link resolveConfigE}). */
export type ConfigProblems = RNEA.ReadonlyNonEmptyArray<ConfigProblem>;

/** Collects the problems of independent checks instead of stopping at the first. */
const Validation = E.getApplicativeValidation(RNEA.getSemigroup<ConfigProblem>());

/** A check's result as a validation: its problems, or the value. */
const checked = <A>(problems: readonly ConfigProblem[], value: A): E.Either<ConfigProblems, A> =>
  A.isNonEmpty(problems) ? E.left(problems) : E.right(value);

/** The problems of one zod issue (an unknown-keys issue names each key). */
function problemsOf(issue: z.core.$ZodIssue): Problem[] {
  if (issue.code !== 'unrecognized_keys')
    return [{ key: keyOf(issue.path), message: issue.message }];
  return issue.keys.map((k) => {
    const key = keyOf([...issue.path, k]);
    return { key, message: `is not a configuration key${nearest(key)}` };
  });
}

/** One line for the CLI: the first problem, and how many more there are. */
export function configError(problems: ConfigProblems): InputError {
  const [first] = problems;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  return new InputError(`config.${first.key}`, `${first.message}${more}`);
}

/** Copies `overrides` onto `base`: objects merge key by key, a dotted key is its nested path. */
function merge(base: Record<string, unknown>, overrides: ConfigOverrides): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(overrides)) {
    const [head, ...rest] = k.split('.');
    const value = rest.length > 0 ? { [rest.join('.')]: v } : v;
    const current = out[head];
    const isObject = (x: unknown): x is Record<string, unknown> =>
      x !== null && typeof x === 'object' && !Array.isArray(x);
    out[head] =
      isObject(current) && isObject(value) ? merge(current, value as ConfigOverrides) : value;
  }
  return out;
}

/** The key that sets the rank per adapted layer of the configured adapter. */
export function adapterRankKey(config: PinnConfig): string {
  return { 'lora-svd': 'network.rank', polar: 'polar.rank', geolora: 'geolora.rmax' }[
    config.adapter
  ];
}

/**
 * Rank per adapted layer of the configured adapter (`polar.rank` for PoLAR,
 * `geolora.rmax` for GeoLoRA, whose SVD view pads each layer to it, else
 * `network.rank`).
 */
export function adapterRank(config: PinnConfig): number {
  return {
    'lora-svd': config.network.rank,
    polar: config.polar.rank,
    geolora: config.geolora.rmax,
  }[config.adapter];
}

/** Number of adapted singular values r = rank x (depth - 1). */
export function totalRank(config: PinnConfig): number {
  return adapterRank(config) * (config.network.depth - 1);
}

/** Converts a budget in the config's unit to a count of singular values. */
export function budgetCount(config: PinnConfig, budget: number): number {
  const r = totalRank(config);
  return config.determination.budgetUnit === 'fraction' ? Math.round(budget * r) : budget;
}

/** Problems of one budget against r and the budget unit. */
function budgetProblems(config: PinnConfig, key: string, b: number): ConfigProblem[] {
  const r = totalRank(config);
  const unit = config.determination.budgetUnit;
  if (unit === 'fraction' && b > 1)
    return [
      {
        key,
        message: `${b} is a fraction of r and must be in [0, 1]; set determination.budgetUnit = "absolute" for counts`,
      },
    ];
  if (unit === 'absolute' && (!Number.isInteger(b) || b > r))
    return [
      {
        key,
        message: `must be an integer in [0, r = ${r}] (got ${b}); r = ${adapterRankKey(config)} x (network.depth - 1)`,
      },
    ];
  return [];
}

/** The exact method against its rank limit, in one stage's method list. */
function exactProblems(
  config: PinnConfig,
  stage: 'determination' | 'alternating',
): ConfigProblem[] {
  const r = totalRank(config);
  return config[stage].methods.includes('exact') && r > EXACT_MAX_RANK
    ? [
        {
          key: `${stage}.methods`,
          message: `'exact' is branch and bound over r = ${r} singular values; drop it or keep r <= ${EXACT_MAX_RANK}`,
        },
      ]
    : [];
}

/** PoLAR's rank against the layers it adapts (X, Y need `rank` orthonormal columns). */
function polarRankProblems(config: PinnConfig): ConfigProblem[] {
  return config.adapter === 'polar' && config.polar.rank > config.network.width
    ? [
        {
          key: 'polar.rank',
          message: `${config.polar.rank} exceeds the ${config.network.width} x ${config.network.width} adapted layers; use at most network.width = ${config.network.width}`,
        },
      ]
    : [];
}

/** GeoLoRA's settings against the adapted layers (the package's own checks, one line per key). */
function geoloraProblems(config: PinnConfig): ConfigProblem[] {
  if (config.adapter !== 'geolora') return [];
  const mlp = { inputDim: 2, width: config.network.width, depth: config.network.depth };
  const layers = hiddenToHidden(mlp);
  try {
    resolveGeoloraConfig(
      { layers, ...config.geolora },
      layers.map(() => [config.network.width, config.network.width] as const),
    );
    return [];
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return [{ key: e.input, message: e.message.slice(e.input.length + 2) }];
  }
}

/** Checks that involve two keys, each independent of the others, all reported. */
function crossKeyChecks(config: PinnConfig): E.Either<ConfigProblems, PinnConfig> {
  const checks = [
    ...config.determination.budgets.map((b, i) =>
      budgetProblems(config, `determination.budgets[${i}]`, b),
    ),
    budgetProblems(config, 'alternating.budget', config.alternating.budget),
    exactProblems(config, 'determination'),
    exactProblems(config, 'alternating'),
    polarRankProblems(config),
    geoloraProblems(config),
  ].map((problems) => checked(problems, config));
  return pipe(
    A.sequence(Validation)(checks),
    E.map(() => config),
  );
}

/** The schema's problems, misspelt keys first (the likeliest cause of the rest). */
function schemaCheck(merged: unknown): E.Either<ConfigProblems, PinnConfig> {
  const parsed = SCHEMA.safeParse(merged);
  if (parsed.success) return E.right(parsed.data as PinnConfig);
  const problems = parsed.error.issues.flatMap(problemsOf);
  const unknown = problems.filter((p) => p.message.startsWith('is not a configuration key'));
  // A failed parse has at least one issue, hence at least one problem.
  const [first, ...rest] = [...unknown, ...problems.filter((p) => !unknown.includes(p))];
  return E.left([first, ...rest]);
}

/**
 * Resolves a preset plus overrides into a validated configuration, or every
 * problem found (the primary form; {@link resolveConfig} throws instead).
 * Cross-key checks run once the schema holds, as they read the parsed values.
 * @param preset - `smoke`, `small`, `medium` or `paper`
 * @param overrides - nested or dotted keys (`{ network: { width: 8 } }` or `{ 'network.width': 8 }`)
 */
export function resolveConfigE(
  preset: string,
  overrides: ConfigOverrides = {},
): E.Either<ConfigProblems, PinnConfig> {
  const base = PRESETS[preset];
  if (base === undefined)
    return E.left([
      {
        key: 'preset',
        message: `unknown preset ${show(preset)}; use one of ${Object.keys(PRESETS).join(', ')}`,
      },
    ]);
  return pipe(
    schemaCheck({ ...merge(base as unknown as Record<string, unknown>, overrides), preset }),
    E.chain(crossKeyChecks),
  );
}

/**
 * {@link resolveConfigE} for callers that want a value or an exception.
 * @throws InputError naming the first offending key (`config.network.width: ...`) and how many more there are
 */
export function resolveConfig(preset: string, overrides: ConfigOverrides = {}): PinnConfig {
  return pipe(
    resolveConfigE(preset, overrides),
    E.getOrElseW((problems) => {
      // The unknown preset is not a config key: its line reads `preset: ...`.
      if (problems[0].key === 'preset' && !(preset in PRESETS))
        throw new InputError('preset', problems[0].message);
      throw configError(problems);
    }),
  );
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
