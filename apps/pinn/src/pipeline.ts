/**
 * The experiment stages of the paper, each resumable from checkpoints:
 * pretraining at lambda = (1, 0), LoRA fine-tuning to each target lambda,
 * training-free rank determination (Alg. 3) across methods and budgets, and
 * alternating training with rank determination (Alg. 4).
 */
import * as path from 'node:path';
import { adjointCutsPay, evaluateToArrays, type Graph } from '@sublora/autodiff';
import {
  type AdamState,
  type LoraShape,
  type MlpShape,
  type ParamValues,
  SIGMA,
  applyKeepMask,
  cloneParams,
  hiddenToHidden,
  initLora,
  initMlp,
  makeSchedule,
} from '@sublora/nn';
import { type MethodName, determineRanks } from '@sublora/rank-determination';
import type { Backend } from '@sublora/tensor';
import { hasCheckpoint, loadCheckpoint, saveCheckpoint } from './checkpoint';
import { type PinnConfig, budgetCount, totalRank } from './config';
import {
  type Collocation,
  type Points,
  evaluationGrid,
  exactOn,
  relativeL2Error,
  sampleCollocation,
} from './geometry';
import type { MetricsWriter } from './metrics';
import {
  type LossGraphs,
  type NetworkSpec,
  buildLossGraphs,
  buildPredictor,
  buildSigmaDerivatives,
} from './model';
import { PDES, type PdeDefinition, type PdeName } from './pdes';
import { type Progress, type ProgressStream, createProgress } from './progress';
import {
  type AlternatingPoint,
  type AlternatingResult,
  type DeterminationResult,
  type DeterminationRow,
  type FinetuneResult,
  type PretrainResult,
  type Results,
  lambdaKey,
  writeResults,
} from './results';
import { deriveSeed, streamFor } from './seeds';
import { type CheckpointPlan, GraphInputs, expectationOf, trainPhase } from './train';

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
}

/** Thrown when `shouldStop` interrupted a phase; the checkpoint is on disk. */
export class Interrupted extends Error {
  constructor(readonly phase: string) {
    super(`${phase}: interrupted; progress is checkpointed, rerun the same command to resume`);
    this.name = 'Interrupted';
  }
}

type Lambda = readonly [number, number];

function dtypeOf(backend: Backend): 'float64' | 'float32' {
  return backend.dtypes.includes('float64') ? 'float64' : 'float32';
}

function mlpShape(config: PinnConfig, def: PdeDefinition): MlpShape {
  return { inputDim: def.inputDim, width: config.network.width, depth: config.network.depth };
}

function loraShape(config: PinnConfig): LoraShape {
  return {
    layers: hiddenToHidden({
      inputDim: 2,
      width: config.network.width,
      depth: config.network.depth,
    }),
    rank: config.network.rank,
  };
}

function checkpointDir(ctx: RunContext, pde: PdeName): string {
  return path.join(ctx.outDir, 'checkpoints', pde);
}

function progress(ctx: RunContext, label: string, total: number): Progress {
  return createProgress({
    label,
    total,
    quiet: ctx.quiet,
    ...(ctx.progressStream ? { stream: ctx.progressStream } : {}),
  });
}

/** Commits results.json after making the metrics it summarises durable. */
function saveResults(ctx: RunContext): void {
  ctx.metrics.sync();
  writeResults(ctx.outDir, ctx.results);
}

/** Checkpoint plan of a training phase; saves first make the metrics they cover durable. */
function plan(
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
    beforeSave: () => ctx.metrics.sync(),
  };
}

/** `onStart` of a training phase: say where it resumes, drop the metrics its checkpoint does not cover. */
function phaseStart(ctx: RunContext, stage: string, label: string, epochs: number) {
  return (step: number): void => {
    if (step > 0 && step < epochs) ctx.log(`sublora-pinn: resuming ${label} from epoch ${step}`);
    ctx.metrics.rewind(stage, step);
  };
}

/**
 * Loads the parameters of a phase whose results are recorded, if its
 * checkpoint is there and complete (after checking it against the config).
 * @returns whether `params` now hold the finished phase's values
 */
function restoreFinished(
  checkpoint: CheckpointPlan,
  params: ParamValues,
  trained: readonly string[],
  epochs: number,
): boolean {
  if (!hasCheckpoint(checkpoint.dir, checkpoint.name)) return false;
  const saved = loadCheckpoint(
    checkpoint.dir,
    checkpoint.name,
    expectationOf(checkpoint, params, trained),
  );
  if (saved.meta.step !== epochs) return false;
  for (const k of Object.keys(params)) params[k].data.set(saved.tensors[`param/${k}`].data);
  return true;
}

/** Stops a stage between units of work when `shouldStop` asks for it. */
function checkStop(ctx: RunContext, label: string): void {
  if (ctx.shouldStop?.()) throw new Interrupted(label);
}

/** Collocation points for a seed (shared by every lambda) with the targets of `lambda`. */
function collocationFor(
  ctx: RunContext,
  def: PdeDefinition,
  lambda: Lambda,
  seed: number,
): Collocation {
  return sampleCollocation(def, def.at(lambda), ctx.config.points, streamFor(seed, 'points'));
}

function graphsFor(
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

function schedule(ctx: RunContext, rate: number, total: number) {
  const o = ctx.config.optimizer;
  return makeSchedule(o.schedule, { rate, total, every: o.stepEvery, gamma: o.stepGamma });
}

function logEvery(total: number): number {
  return Math.max(1, Math.floor(total / 50));
}

/** Pretrains the full network at `config.pretrainLambda` (or loads the finished checkpoint). */
export async function ensurePretrained(
  ctx: RunContext,
  pde: PdeName,
  seed: number,
): Promise<ParamValues> {
  const def = PDES[pde];
  const { config } = ctx;
  const net: NetworkSpec = { shape: mlpShape(config, def) };
  const params = initMlp(net.shape, streamFor(seed, 'init'));
  const lambda = config.pretrainLambda;
  const key = `${pde}/seed${seed}`;
  const name = `pretrain-seed${seed}`;
  const stage = `${pde}/${name}`;
  const checkpoint = plan(ctx, pde, name, 'pretrain', seed);
  if (
    ctx.results.pretrain[key] &&
    restoreFinished(checkpoint, params, Object.keys(params), config.epochs.pretrain)
  )
    return params;
  const started = Date.now();
  const col = collocationFor(ctx, def, lambda, seed);
  const graphs = graphsFor(ctx, def, col, net, params, Object.keys(params));
  const every = logEvery(config.epochs.pretrain);
  const result = await trainPhase({
    phase: 'pretrain',
    graphs,
    params,
    epochs: config.epochs.pretrain,
    schedule: schedule(ctx, config.optimizer.pretrainLr, config.epochs.pretrain),
    backend: ctx.backend,
    checkpoint,
    progress: progress(ctx, `${pde} pretrain seed ${seed}`, config.epochs.pretrain),
    onStart: phaseStart(ctx, stage, `${pde} pretrain seed ${seed}`, config.epochs.pretrain),
    onEpoch: (r) => {
      if (r.epoch % every === 0)
        ctx.metrics.write({
          kind: 'epoch',
          stage,
          step: r.epoch + 1,
          phase: 'pretrain',
          pde,
          seed,
          lambda,
          ...r,
        });
    },
    ...(ctx.shouldStop ? { shouldStop: ctx.shouldStop } : {}),
  });
  if (result.interrupted) throw new Interrupted(`${pde} pretrain seed ${seed}`);
  const relError = await evaluateError(ctx, def, lambda, net, params);
  const record: PretrainResult = {
    pde,
    seed,
    lambda,
    loss: result.final.loss,
    terms: result.final.terms,
    relError,
    seconds: (Date.now() - started) / 1000,
  };
  ctx.results.pretrain[key] = record;
  ctx.metrics.write({ kind: 'pretrain', stage, ...record });
  saveResults(ctx);
  return params;
}

/** A LoRA-adapted network: frozen base plus adapter parameters, in graph order. */
interface Adapted {
  readonly net: NetworkSpec;
  readonly params: ParamValues;
  readonly loraNames: readonly string[];
}

function adapted(ctx: RunContext, def: PdeDefinition, base: ParamValues, seed: number): Adapted {
  const { config } = ctx;
  const net: NetworkSpec = { shape: mlpShape(config, def), lora: loraShape(config) };
  const adapter = initLora(
    net.shape,
    net.lora as LoraShape,
    streamFor(seed, 'lora'),
    config.network.loraInitScale,
  );
  return { net, params: { ...cloneParams(base), ...adapter }, loraNames: Object.keys(adapter) };
}

/** Fine-tunes LoRA on the pretrained network to `lambda` (or loads the finished checkpoint). */
export async function ensureFinetuned(
  ctx: RunContext,
  pde: PdeName,
  seed: number,
  lambda: Lambda,
): Promise<Adapted & { graphs: LossGraphs }> {
  const def = PDES[pde];
  const { config } = ctx;
  const base = await ensurePretrained(ctx, pde, seed);
  const model = adapted(ctx, def, base, seed);
  const col = collocationFor(ctx, def, lambda, seed);
  const graphs = graphsFor(ctx, def, col, model.net, model.params, model.loraNames);
  const key = `${pde}/${lambdaKey(lambda)}/seed${seed}`;
  const name = `finetune-${lambdaKey(lambda)}-seed${seed}`;
  const stage = `${pde}/${name}`;
  const checkpoint = plan(ctx, pde, name, 'finetune', seed);
  if (
    ctx.results.finetune[key] &&
    restoreFinished(checkpoint, model.params, model.loraNames, config.epochs.finetune)
  )
    return { ...model, graphs };
  const started = Date.now();
  const every = logEvery(config.epochs.finetune);
  const result = await trainPhase({
    phase: 'finetune',
    graphs,
    params: model.params,
    epochs: config.epochs.finetune,
    schedule: schedule(ctx, config.optimizer.finetuneLr, config.epochs.finetune),
    backend: ctx.backend,
    checkpoint,
    progress: progress(
      ctx,
      `${pde} finetune ${lambdaKey(lambda)} seed ${seed}`,
      config.epochs.finetune,
    ),
    onStart: phaseStart(
      ctx,
      stage,
      `${pde} finetune ${lambdaKey(lambda)} seed ${seed}`,
      config.epochs.finetune,
    ),
    onEpoch: (r) => {
      if (r.epoch % every === 0)
        ctx.metrics.write({
          kind: 'epoch',
          stage,
          step: r.epoch + 1,
          phase: 'finetune',
          pde,
          seed,
          lambda,
          ...r,
        });
    },
    ...(ctx.shouldStop ? { shouldStop: ctx.shouldStop } : {}),
  });
  if (result.interrupted)
    throw new Interrupted(`${pde} finetune ${lambdaKey(lambda)} seed ${seed}`);
  const relErrorPretrained = await evaluateError(
    ctx,
    def,
    lambda,
    { shape: model.net.shape },
    base,
  );
  const relErrorFinetuned = await evaluateError(ctx, def, lambda, model.net, model.params);
  const converged = relErrorFinetuned < relErrorPretrained;
  const record: FinetuneResult = {
    pde,
    seed,
    lambda,
    loss: result.final.loss,
    terms: result.final.terms,
    relErrorPretrained,
    relErrorFinetuned,
    converged,
    seconds: (Date.now() - started) / 1000,
  };
  if (!converged) {
    ctx.log(
      `WARNING: ${pde} lambda=(${lambda.join(', ')}) seed ${seed}: fine-tuning has NOT converged: relative error ${relErrorFinetuned.toExponential(3)} is no better than the pretrained network's ${relErrorPretrained.toExponential(3)}; raise epochs.finetune or optimizer.finetuneLr before trusting rank-determination results`,
    );
  }
  ctx.results.finetune[key] = record;
  ctx.metrics.write({ kind: 'finetune', stage, ...record });
  saveResults(ctx);
  return { ...model, graphs };
}

/** The `[loss, g, H]` graph for `ctx`'s backend: adjoint cuts where they pay (`adjointCutsPay`). */
export function sigmaDerivativeGraph(ctx: RunContext, graphs: LossGraphs): Graph {
  return buildSigmaDerivatives(graphs, { adjointCuts: adjointCutsPay(ctx.backend) });
}

/** Loss, g and H w.r.t. sigma at the current parameters (all parameters as graph inputs). */
export async function sigmaDerivatives(
  ctx: RunContext,
  graphs: LossGraphs,
  derivs: Graph,
  params: ParamValues,
): Promise<{ loss: number; grad: Float64Array; hessian: Float64Array }> {
  const inputs = new GraphInputs(ctx.backend, graphs, params, new Set(graphs.paramNames));
  try {
    const [loss, grad, hessian] = await inputs.run(derivs);
    return { loss: loss[0], grad, hessian };
  } finally {
    inputs.dispose();
  }
}

async function lossAt(ctx: RunContext, graphs: LossGraphs, params: ParamValues): Promise<number> {
  const inputs = new GraphInputs(ctx.backend, graphs, params, new Set(graphs.paramNames));
  try {
    return (await inputs.run(graphs.loss))[0][0];
  } finally {
    inputs.dispose();
  }
}

function keepMask(r: number, kept: readonly number[]): Uint8Array {
  const mask = new Uint8Array(r);
  for (const i of kept) mask[i] = 1;
  return mask;
}

/** Training-free rank determination (Alg. 3) with every configured method and budget. */
export async function runDetermination(
  ctx: RunContext,
  pde: PdeName,
  seed: number,
  lambda: Lambda,
): Promise<DeterminationResult> {
  const def = PDES[pde];
  const { config } = ctx;
  const key = `${pde}/${lambdaKey(lambda)}/seed${seed}`;
  const finished = ctx.results.determination[key];
  if (finished) return finished;
  const model = await ensureFinetuned(ctx, pde, seed, lambda);
  const stage = `${pde}/determine-${lambdaKey(lambda)}-seed${seed}`;
  const label = `${pde} determine ${lambdaKey(lambda)} seed ${seed}`;
  // Determination keeps no checkpoint: a rerun measures every row again.
  ctx.metrics.rewind(stage, 0);
  const r = totalRank(config);
  const layers = (model.net.lora as LoraShape).layers.map(() => config.network.rank);

  const started = Date.now();
  const derivs = sigmaDerivativeGraph(ctx, model.graphs);
  const { loss, grad, hessian } = await sigmaDerivatives(ctx, model.graphs, derivs, model.params);
  const derivativeSeconds = (Date.now() - started) / 1000;
  const relErrorFinetuned = await evaluateError(ctx, def, lambda, model.net, model.params);
  const sigma = model.params[SIGMA].data;

  const rows: DeterminationRow[] = [];
  const methods = config.determination.methods;
  const budgets = config.determination.budgets.map((b) => budgetCount(config, b));
  const bar = progress(
    ctx,
    `${pde} determine ${lambdaKey(lambda)} seed ${seed}`,
    methods.length * budgets.length,
  );
  for (const method of methods) {
    for (const budget of budgets) {
      checkStop(ctx, label);
      const t0 = process.hrtime.bigint();
      const res = await determineRanks({
        sigma,
        grad,
        hessian: { data: hessian, size: r },
        budget,
        method,
        layers,
        seed: deriveSeed(seed, 'sublora-r'),
      });
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const pruned = cloneParams(model.params);
      applyKeepMask(pruned, keepMask(r, res.kept));
      const lossAfter = await lossAt(ctx, model.graphs, pruned);
      const relErrorAfter = await evaluateError(ctx, def, lambda, model.net, pruned);
      const row: DeterminationRow = {
        method,
        budget,
        kept: res.kept,
        perLayer: res.perLayer ?? [],
        lossAfter,
        relErrorAfter,
        predictedIncrease: res.predictedLossChange,
        measuredIncrease: lossAfter - loss,
        seconds,
        rawSubmodular: res.diagnostics.rawSubmodular,
        ...(res.certificate ? { certificateRatio: res.certificate.ratio } : {}),
      };
      rows.push(row);
      ctx.metrics.write({ kind: 'determination', stage, pde, seed, lambda, ...row });
      bar.update(rows.length, { budget, rel: relErrorAfter });
    }
  }
  bar.finish();
  const result: DeterminationResult = {
    pde,
    seed,
    lambda,
    lossFinetuned: loss,
    relErrorFinetuned,
    derivativeSeconds,
    rows,
  };
  ctx.results.determination[key] = result;
  saveResults(ctx);
  return result;
}

/** AdaLoRA's cubic budget schedule over rounds k = 1..T: from r down to b at the last round. */
export function cubicBudget(r: number, b: number, round: number, rounds: number): number {
  return Math.round(b + (r - b) * (1 - round / rounds) ** 3);
}

/** The alternating methods to run: the configured ones plus `adalora-cubic` when enabled. */
export function alternatingMethods(config: PinnConfig): string[] {
  return [
    ...config.alternating.methods,
    ...(config.alternating.adaloraBaseline ? ['adalora-cubic'] : []),
  ];
}

/**
 * Alternating SubLoRA (Alg. 4) with one method: T rounds of E Adam epochs on
 * the LoRA parameters, each followed by rank determination that zeroes the
 * pruned singular values. Mask policy `free` (the paper's): pruned values
 * are zeroed once and may grow back in the next round's training; the next
 * determination decides again. The Adam state carries over between rounds.
 * The result is measured after the final determination, so it meets the
 * budget. `adalora-cubic` uses the |g sigma| sensitivity with AdaLoRA's cubic
 * budget schedule (r down to b).
 */
export async function runAlternating(
  ctx: RunContext,
  pde: PdeName,
  seed: number,
  lambda: Lambda,
  method: string,
): Promise<AlternatingResult> {
  const def = PDES[pde];
  const { config } = ctx;
  const key = `${pde}/${lambdaKey(lambda)}/${method}/seed${seed}`;
  const finished = ctx.results.alternating[key];
  if (finished) return finished;
  const base = await ensurePretrained(ctx, pde, seed);
  const model = adapted(ctx, def, base, seed);
  const col = collocationFor(ctx, def, lambda, seed);
  const graphs = graphsFor(ctx, def, col, model.net, model.params, model.loraNames);
  const derivs = sigmaDerivativeGraph(ctx, graphs);
  const r = totalRank(config);
  const layers = (model.net.lora as LoraShape).layers.map(() => config.network.rank);
  const b = budgetCount(config, config.alternating.budget);
  const { rounds, epochs } = config.alternating;
  const name = `alternate-${method}-${lambdaKey(lambda)}-seed${seed}`;
  const stage = `${pde}/${name}`;
  const checkpoint = plan(ctx, pde, name, 'alternate', seed);
  const dir = checkpoint.dir;
  const label = `${pde} alternate ${method} ${lambdaKey(lambda)} seed ${seed}`;
  const rankMethod: MethodName = method === 'adalora-cubic' ? 'adalora' : (method as MethodName);
  const started = Date.now();

  // Resume at round granularity from the checkpoint written after each determination.
  let round = 0;
  let trajectory: AlternatingPoint[] = [];
  let perLayer: readonly number[] = [];
  let adam: AdamState | undefined;
  if (hasCheckpoint(dir, `${name}-round`)) {
    const saved = loadCheckpoint(
      dir,
      `${name}-round`,
      expectationOf(checkpoint, model.params, model.loraNames),
    );
    const state = saved.meta.state as {
      round: number;
      trajectory: AlternatingPoint[];
      perLayer: number[];
      adamT: number;
    };
    for (const k of Object.keys(model.params))
      model.params[k].data.set(saved.tensors[`param/${k}`].data);
    adam = { t: state.adamT, m: {}, v: {} };
    for (const k of model.loraNames) {
      adam.m[k] = Float64Array.from(saved.tensors[`adam.m/${k}`].data);
      adam.v[k] = Float64Array.from(saved.tensors[`adam.v/${k}`].data);
    }
    round = state.round;
    trajectory = state.trajectory;
    perLayer = state.perLayer;
  }
  if (round > 0) ctx.log(`sublora-pinn: resuming ${label} after round ${round}`);
  ctx.metrics.rewind(stage, round * epochs);

  const bar = progress(ctx, label, rounds * epochs);
  const logStride = Math.max(1, Math.floor(epochs / 10));
  for (; round < rounds; round++) {
    const offset = round * epochs;
    const phase = await trainPhase({
      phase: `alternate:${method}:round${round}`,
      graphs,
      params: model.params,
      epochs,
      schedule: schedule(ctx, config.optimizer.finetuneLr, epochs),
      backend: ctx.backend,
      ...(adam ? { adam } : {}),
      checkpoint: { ...checkpoint, state: () => ({ trajectory }) },
      // A mid-round checkpoint carries the trajectory up to its step.
      onStart: (step, state) => {
        if (step === 0) return;
        if (step < epochs)
          ctx.log(`sublora-pinn: resuming ${label} round ${round} from epoch ${step}`);
        if (state?.trajectory) trajectory = [...(state.trajectory as AlternatingPoint[])];
      },
      onEpoch: (rec) => {
        bar.update(offset + rec.epoch + 1, { loss: rec.loss });
        if (rec.epoch % logStride === 0)
          trajectory.push({ epoch: offset + rec.epoch, loss: rec.loss, stage: 'train' });
      },
      ...(ctx.shouldStop ? { shouldStop: ctx.shouldStop } : {}),
    });
    if (phase.interrupted) throw new Interrupted(`${pde} alternate ${method} seed ${seed}`);
    adam = phase.adam;
    trajectory.push({ epoch: offset + epochs, loss: phase.final.loss, stage: 'train' });

    const { grad, hessian } = await sigmaDerivatives(ctx, graphs, derivs, model.params);
    const budget = method === 'adalora-cubic' ? cubicBudget(r, b, round + 1, rounds) : b;
    const res = await determineRanks({
      sigma: model.params[SIGMA].data,
      grad,
      hessian: { data: hessian, size: r },
      budget,
      method: rankMethod,
      layers,
      seed: deriveSeed(seed, `alternate-${round}`),
    });
    applyKeepMask(model.params, keepMask(r, res.kept));
    perLayer = res.perLayer ?? [];
    const prunedLoss = await lossAt(ctx, graphs, model.params);
    trajectory.push({ epoch: offset + epochs, loss: prunedLoss, stage: 'pruned' });
    ctx.metrics.write({
      kind: 'alternating-round',
      stage,
      step: (round + 1) * epochs,
      pde,
      seed,
      lambda,
      method,
      round,
      budget,
      lossTrained: phase.final.loss,
      lossPruned: prunedLoss,
      perLayer,
    });
    ctx.metrics.sync();
    saveCheckpoint(
      dir,
      `${name}-round`,
      {
        ...Object.fromEntries(Object.entries(model.params).map(([k, p]) => [`param/${k}`, p])),
        ...Object.fromEntries(
          model.loraNames.flatMap((k) => [
            [`adam.m/${k}`, { shape: model.params[k].shape, data: (adam as AdamState).m[k] }],
            [`adam.v/${k}`, { shape: model.params[k].shape, data: (adam as AdamState).v[k] }],
          ]),
        ),
      },
      {
        phase: `alternate:${method}`,
        step: (round + 1) * epochs,
        seed,
        config,
        state: { round: round + 1, trajectory, perLayer, adamT: adam.t },
      },
    );
  }
  bar.finish();
  const finalLoss = await lossAt(ctx, graphs, model.params);
  const finalRelError = await evaluateError(ctx, def, lambda, model.net, model.params);
  const result: AlternatingResult = {
    pde,
    seed,
    lambda,
    method,
    budget: b,
    finalLoss,
    finalRelError,
    perLayer,
    trajectory,
    seconds: (Date.now() - started) / 1000,
  };
  ctx.results.alternating[key] = result;
  ctx.metrics.write({ kind: 'alternating', stage, ...result, trajectory: undefined });
  saveResults(ctx);
  return result;
}
