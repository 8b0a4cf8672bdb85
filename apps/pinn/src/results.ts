/**
 * `results.json`: the structured outcome of a run, updated atomically after
 * every stage so a resumed run and `sublora-pinn report` see the same data.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import writeFileAtomic from 'write-file-atomic';

/** Pretraining of one PDE and seed. */
export interface PretrainResult {
  readonly pde: string;
  readonly seed: number;
  readonly lambda: readonly number[];
  readonly loss: number;
  readonly terms: Readonly<Record<string, number>>;
  readonly relError: number;
  readonly seconds: number;
}

/** LoRA fine-tuning to one target lambda. */
export interface FinetuneResult {
  readonly pde: string;
  readonly seed: number;
  readonly lambda: readonly number[];
  readonly loss: number;
  readonly terms: Readonly<Record<string, number>>;
  /** Relative error on the target of the pretrained network (no adaptation). */
  readonly relErrorPretrained: number;
  readonly relErrorFinetuned: number;
  /** False when fine-tuning did not beat the pretrained network on the target. */
  readonly converged: boolean;
  readonly seconds: number;
  /** Final rank of each adapted layer, for rank-adaptive adapters (GeoLoRA). */
  readonly ranks?: readonly number[];
}

/** One method at one budget, training-free (Alg. 3). */
export interface DeterminationRow {
  readonly method: string;
  readonly budget: number;
  readonly kept: readonly number[];
  readonly perLayer: readonly number[];
  readonly lossAfter: number;
  readonly relErrorAfter: number;
  /** Second-order model's predicted change of the loss. */
  readonly predictedIncrease: number;
  /** Measured change of the loss: loss after pruning minus fine-tuned loss. */
  readonly measuredIncrease: number;
  /** Wall time of `determineRanks` alone. */
  readonly seconds: number;
  readonly rawSubmodular: boolean;
  readonly certificateRatio?: number;
}

/**
 * The local quadratic model at a fine-tuned point: how steep, how curved and
 * how far from the Theorem-2 sign pattern the Hessian w.r.t. sigma is.
 */
export interface CurvatureSummary {
  /** `||g||_2`. */
  readonly gradNorm: number;
  /** Smallest and largest eigenvalue of H. */
  readonly eigenMin: number;
  readonly eigenMax: number;
  /** `max |lambda| / min |lambda|` (Infinity when H is singular). */
  readonly conditionNumber: number;
  /** Eigenvalues below `-1e-12 max |lambda|`. */
  readonly negativeEigenvalues: number;
  /** Share of off-diagonal entries the sign projection set to zero. */
  readonly projectionZeroedShare: number;
  /** `||H - P(H)||_F / ||H||_F`: the Frobenius share the projection removed. */
  readonly projectionFrobeniusShare: number;
}

/** Training-free determination at one fine-tuned point. */
export interface DeterminationResult {
  readonly pde: string;
  readonly seed: number;
  readonly lambda: readonly number[];
  readonly lossFinetuned: number;
  readonly relErrorFinetuned: number;
  /** Seconds to compute g and H w.r.t. sigma (shared by every method). */
  readonly derivativeSeconds: number;
  /** Absent in results written before it was recorded. */
  readonly curvature?: CurvatureSummary;
  readonly rows: readonly DeterminationRow[];
}

/** One point of an alternating trajectory. */
export interface AlternatingPoint {
  readonly epoch: number;
  readonly loss: number;
  readonly stage: 'train' | 'pruned';
}

/** Alternating training (Alg. 4) with one method. */
export interface AlternatingResult {
  readonly pde: string;
  readonly seed: number;
  readonly lambda: readonly number[];
  /** Method name; `adalora-cubic` is the AdaLoRA-style baseline. */
  readonly method: string;
  readonly budget: number;
  readonly finalLoss: number;
  readonly finalRelError: number;
  readonly perLayer: readonly number[];
  readonly trajectory: readonly AlternatingPoint[];
  readonly seconds: number;
}

/** Everything a run has measured. Keys: `pde/seedS`, `pde/l1_l2/seedS`, `pde/l1_l2/method/seedS`. */
export interface Results {
  config?: unknown;
  backend?: string;
  pretrain: Record<string, PretrainResult>;
  finetune: Record<string, FinetuneResult>;
  determination: Record<string, DeterminationResult>;
  alternating: Record<string, AlternatingResult>;
}

/** Empty results. */
export function emptyResults(): Results {
  return { pretrain: {}, finetune: {}, determination: {}, alternating: {} };
}

/** Reads `<dir>/results.json`, or empty results when there is none. */
export function readResults(dir: string): Results {
  const file = path.join(dir, 'results.json');
  if (!fs.existsSync(file)) return emptyResults();
  try {
    return {
      ...emptyResults(),
      ...(JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Results>),
    };
  } catch (e) {
    throw new Error(
      `${file}: unreadable results (${(e as Error).message.split('\n')[0]}); delete it and rerun`,
      { cause: e },
    );
  }
}

/** Writes `<dir>/results.json` atomically. */
export function writeResults(dir: string, results: Results): void {
  fs.mkdirSync(dir, { recursive: true });
  writeFileAtomic.sync(path.join(dir, 'results.json'), `${JSON.stringify(results, null, 1)}\n`);
}

/** Key helpers. */
export const lambdaKey = (lambda: readonly number[]): string => lambda.join('_');
