/** Stage 4: alternating training with rank determination (Alg. 4). */
import { type LoraShape, SIGMA, applyKeepMask } from '@sublora/nn';
import { type MethodName, determineRanks } from '@sublora/rank-determination';
import { hasCheckpoint, loadCheckpoint, saveCheckpoint } from '../checkpoint';
import { type PinnConfig, budgetCount, totalRank } from '../config';
import { PDES, type PdeName, type Lambda } from '../pdes';
import { type AlternatingPoint, type AlternatingResult, lambdaKey } from '../results';
import { deriveSeed } from '../seeds';
import { expectationOf, optimizerMeta, phaseTensors, restorePhase, trainPhase } from '../train';
import {
  type RunContext,
  Interrupted,
  progress,
  saveResults,
  plan,
  collocationFor,
  graphsFor,
  evaluateError,
  schedule,
} from './context';
import { ensurePretrained } from './pretrain';
import { adapted } from './finetune';
import { sigmaDerivativeGraph, sigmaDerivatives, lossAt, keepMask } from './sigma-derivatives';

/** AdaLoRA's cubic budget schedule over rounds k = 1..T: from r down to b at the last round. */
export function cubicBudget(r: number, b: number, round: number, rounds: number): number {
  return Math.round(b + (r - b) * (1 - round / rounds) ** 3);
}

/**
 * The alternating methods to run: the configured ones plus `adalora-cubic`
 * when enabled. Alternating training masks LoRA-SVD's `lora.sigma` between
 * rounds, so other adapter families (PoLAR) run none.
 */
export function alternatingMethods(config: PinnConfig): string[] {
  if (config.adapter !== 'lora-svd') return [];
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
  const graphs = graphsFor(ctx, def, col, model.net, model.params, model.adapterNames);
  const optimizer = model.adapter.optimizer(config);
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
  let savedMetrics: unknown;
  // One optimizer state across rounds (Alg. 4 keeps Adam's moments).
  let state = optimizer.init(model.params, model.adapterNames);
  if (hasCheckpoint(dir, `${name}-round`)) {
    const saved = loadCheckpoint(
      dir,
      `${name}-round`,
      expectationOf(checkpoint, model.params, state),
    );
    const progress = saved.meta.state as {
      round: number;
      trajectory: AlternatingPoint[];
      perLayer: number[];
      metrics?: unknown;
    };
    restorePhase(saved.tensors, saved.meta.state, model.params, state);
    round = progress.round;
    trajectory = progress.trajectory;
    perLayer = progress.perLayer;
    savedMetrics = progress.metrics;
  }
  if (round > 0) ctx.log(`sublora-pinn: resuming ${label} after round ${round}`);
  ctx.metrics.rewind(stage, round * epochs, savedMetrics);

  const bar = progress(ctx, label, rounds * epochs);
  const logStride = Math.max(1, Math.floor(epochs / 10));
  for (; round < rounds; round++) {
    const offset = round * epochs;
    const phase = await trainPhase({
      phase: `alternate:${method}:round${round}`,
      graphs,
      params: model.params,
      epochs,
      schedule: schedule(config.optimizer.finetune, epochs),
      backend: ctx.backend,
      optimizer,
      state,
      checkpoint: { ...checkpoint, state: () => ({ ...checkpoint.state?.(), trajectory }) },
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
    state = phase.state;
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
    saveCheckpoint(dir, `${name}-round`, phaseTensors(model.params, state), {
      phase: `alternate:${method}`,
      step: (round + 1) * epochs,
      seed,
      config,
      state: {
        round: round + 1,
        trajectory,
        perLayer,
        metrics: ctx.metrics.stageRecords(stage),
        ...optimizerMeta(state),
      },
    });
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
