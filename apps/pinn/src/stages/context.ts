/**
 * What every experiment stage shares: the run context, interruption, the
 * network shapes, checkpoint plans, collocation, loss graphs, the evaluation
 * error and the learning-rate schedule.
 */
import * as path from 'node:path';
import { evaluateToArrays } from '@sublora/autodiff';
import { type MlpShape, type ParamValues, makeSchedule } from '@sublora/nn';
import type { Backend } from '@sublora/tensor';
import { hasCheckpoint, loadCheckpoint } from '../checkpoint';
import { type LearningRate, type PinnConfig } from '../config';
import {
  type Collocation,
  type Points,
  evaluationGrid,
  exactOn,
  relativeL2Error,
  sampleCollocation,
} from '../geometry';
import type { MetricsWriter } from '../metrics';
import { type LossGraphs, type NetworkSpec, buildLossGraphs, buildPredictor } from '../model';
import { type Lambda, type PdeDefinition, type PdeName } from '../pdes';
import { type Progress, type ProgressStream, createProgress } from '../progress';
import { type Results, writeResults } from '../results';
import { streamFor } from '../seeds';
import { type OptimizerState } from '../optimizer';
import { type CheckpointPlan, type PhaseOptions, expectationOf } from '../train';

/** Everything a stage needs from its surroundings. */
export interface RunContext {
  readonly config: PinnConfig;
  /** `runs/<name>`. */
  readonly outDir: string;
  readonly backend: Backend;
  readonly metrics: MetricsWriter;
  readonly results: Results;
  /** Human-readable notes and warnings (stderr in the CLI). */
  readonly log: (line: string) => void;
  readonly quiet?: boolean;
  readonly progressStream?: ProgressStream;
  /** Polled between epochs; true stops the current phase after checkpointing. */
  readonly shouldStop?: () => boolean;
  /**
   * Makes `results` durable after a stage adds to them (default: write
   * `results.json`). Grid workers commit a shard at the end of their task
   * instead, so they pass a no-op: many workers share one run directory.
   */
  readonly commitResults?: (results: Results) => void;
}

/** Thrown when `shouldStop` interrupted a phase; the checkpoint is on disk. */
export class Interrupted extends Error {
  constructor(readonly phase: string) {
    super(`${phase}: interrupted; progress is checkpointed, rerun the same command to resume`);
    this.name = 'Interrupted';
  }
}

export function dtypeOf(backend: Backend): 'float64' | 'float32' {
  return backend.dtypes.includes('float64') ? 'float64' : 'float32';
}

export function mlpShape(config: PinnConfig, def: PdeDefinition): MlpShape {
  return { inputDim: def.inputDim, width: config.network.width, depth: config.network.depth };
}

export function checkpointDir(ctx: RunContext, pde: PdeName): string {
  return path.join(ctx.outDir, 'checkpoints', pde);
}

export function progress(ctx: RunContext, label: string, total: number): Progress {
  return createProgress({
    label,
    total,
    quiet: ctx.quiet,
    ...(ctx.progressStream ? { stream: ctx.progressStream } : {}),
  });
}

/** Commits results.json after making the metrics it summarises durable. */
export function saveResults(ctx: RunContext): void {
  ctx.metrics.sync();
  (ctx.commitResults ?? ((results) => writeResults(ctx.outDir, results)))(ctx.results);
}

/**
 * Checkpoint plan of a training phase; saves first make the metrics they
 * cover durable, and carry the stage's records (see `metrics.ts`).
 */
export function plan(
  ctx: RunContext,
  pde: PdeName,
  name: string,
  stage: CheckpointPlan['stage'],
  seed: number,
): CheckpointPlan {
  return {
    dir: checkpointDir(ctx, pde),
    name,
    every: ctx.config.checkpointEvery,
    stage,
    meta: { seed, config: ctx.config },
    state: () => ({ metrics: ctx.metrics.stageRecords(`${pde}/${name}`) }),
    beforeSave: () => ctx.metrics.sync(),
  };
}

/**
 * Loads the parameters of a phase whose results are recorded, if its
 * checkpoint is there and complete (after checking it against the config).
 * @returns whether `params` now hold the finished phase's values
 */
export function restoreFinished(
  checkpoint: CheckpointPlan,
  params: ParamValues,
  state: OptimizerState,
  epochs: number,
): boolean {
  if (!hasCheckpoint(checkpoint.dir, checkpoint.name)) return false;
  const saved = loadCheckpoint(
    checkpoint.dir,
    checkpoint.name,
    expectationOf(checkpoint, params, state),
  );
  if (saved.meta.step !== epochs) return false;
  for (const k of Object.keys(params)) params[k].data.set(saved.tensors[`param/${k}`].data);
  return true;
}

/** Stops a stage between units of work when `shouldStop` asks for it. */
export function checkStop(ctx: RunContext, label: string): void {
  if (ctx.shouldStop?.()) throw new Interrupted(label);
}

/** Collocation points for a seed (shared by every lambda) with the targets of `lambda`. */
export function collocationFor(
  ctx: RunContext,
  def: PdeDefinition,
  lambda: Lambda,
  seed: number,
): Collocation {
  return sampleCollocation(def, def.at(lambda), ctx.config.points, streamFor(seed, 'points'));
}

export function graphsFor(
  ctx: RunContext,
  def: PdeDefinition,
  col: Collocation,
  net: NetworkSpec,
  params: ParamValues,
  trainable: readonly string[],
): LossGraphs {
  return buildLossGraphs(
    def,
    col,
    net,
    params,
    trainable,
    { muB: ctx.config.muB, orthogonality: ctx.config.network.orthogonality },
    dtypeOf(ctx.backend),
  );
}

/** Relative L2 error of a network against the exact solution on the held-out grid. */
export async function evaluateError(
  ctx: RunContext,
  def: PdeDefinition,
  lambda: Lambda,
  net: NetworkSpec,
  params: ParamValues,
): Promise<number> {
  const grid: Points = evaluationGrid(
    def,
    ctx.config.evaluation.resolution,
    ctx.config.evaluation.timeSteps,
  );
  const predictor = buildPredictor(net, params, grid.count, grid.dim, dtypeOf(ctx.backend));
  const [u] = await evaluateToArrays(predictor, ctx.backend, [
    ...Object.values(params).map((p) => p.data),
    grid.data,
  ]);
  return relativeL2Error(u, exactOn(def.at(lambda), grid));
}

export function schedule(rate: LearningRate, total: number) {
  return makeSchedule(rate.schedule, {
    rate: rate.lr,
    total,
    every: rate.stepEvery,
    gamma: rate.stepGamma,
  });
}

/**
 * The hooks a pretraining or fine-tuning phase sets the same way: its
 * progress bar, the resume note (dropping metrics its checkpoint does not
 * cover), an epoch record in `metrics.jsonl` about 50 times per phase, and
 * the stop request.
 */
export function phaseHooks(
  ctx: RunContext,
  run: {
    readonly stage: string;
    readonly phase: 'pretrain' | 'finetune';
    readonly label: string;
    readonly epochs: number;
    readonly pde: PdeName;
    readonly seed: number;
    readonly lambda: Lambda;
    /** Fields added to every epoch record (an adapter's diagnostics). */
    readonly extra?: () => Record<string, unknown>;
  },
): Pick<PhaseOptions, 'progress' | 'onStart' | 'onEpoch' | 'shouldStop'> {
  const { stage, phase, label, epochs, pde, seed, lambda, extra } = run;
  const every = Math.max(1, Math.floor(epochs / 50));
  return {
    progress: progress(ctx, label, epochs),
    onStart: (step, state) => {
      if (step > 0 && step < epochs) ctx.log(`sublora-pinn: resuming ${label} from epoch ${step}`);
      ctx.metrics.rewind(stage, step, state?.metrics);
    },
    onEpoch: (r) => {
      if (r.epoch % every === 0)
        ctx.metrics.write({
          kind: 'epoch',
          stage,
          step: r.epoch + 1,
          phase,
          pde,
          seed,
          lambda,
          ...r,
          ...extra?.(),
        });
    },
    ...(ctx.shouldStop ? { shouldStop: ctx.shouldStop } : {}),
  };
}
