/** Stage 2: fine-tuning an adapter (LoRA-SVD by default) on the pretrained network to a target lambda. */
import { type ParamValues, cloneParams } from '@sublora/nn';
import { adapterRank } from '../config';
import { type PinnAdapter, adapterOf } from '../adapters';
import { type LossGraphs, type NetworkSpec } from '../model';
import { PDES, type PdeDefinition, type PdeName, type Lambda } from '../pdes';
import { type FinetuneResult, lambdaKey } from '../results';
import { streamFor } from '../seeds';
import { trainPhase } from '../train';
import {
  type RunContext,
  Interrupted,
  mlpShape,
  saveResults,
  phaseHooks,
  plan,
  restoreFinished,
  collocationFor,
  graphsFor,
  evaluateError,
  schedule,
} from './context';
import { candidateCurvature } from './candidate-curvature';
import { ensurePretrained } from './pretrain';

/** An adapted network: frozen base plus adapter parameters, in graph order. */
export interface Adapted {
  readonly adapter: PinnAdapter;
  readonly net: NetworkSpec;
  readonly params: ParamValues;
  /** The adapter's (trained) parameters. */
  readonly adapterNames: readonly string[];
}

/** The configured adapter over a copy of the pretrained parameters, freshly initialised for `seed`. */
export function adapted(
  ctx: RunContext,
  def: PdeDefinition,
  base: ParamValues,
  seed: number,
): Adapted {
  const { config } = ctx;
  const adapter = adapterOf(config);
  const net = adapter.network(config, mlpShape(config, def));
  const fresh = adapter.init(config, net, streamFor(seed, 'lora'));
  return {
    adapter,
    net,
    params: { ...cloneParams(base), ...fresh },
    adapterNames: Object.keys(fresh),
  };
}

/** Fine-tunes the configured adapter on the pretrained network to `lambda` (or loads the finished checkpoint). */
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
  const graphs = graphsFor(ctx, def, col, model.net, model.params, model.adapterNames);
  const optimizer = model.adapter.optimizer(config, {
    curvature: candidateCurvature(ctx, def, col, base, model.net.shape, adapterRank(config)),
  });
  const key = `${pde}/${lambdaKey(lambda)}/seed${seed}`;
  const name = `finetune-${lambdaKey(lambda)}-seed${seed}`;
  const stage = `${pde}/${name}`;
  const checkpoint = plan(ctx, pde, name, 'finetune', seed);
  if (
    ctx.results.finetune[key] &&
    restoreFinished(
      checkpoint,
      model.params,
      optimizer.init(model.params, model.adapterNames),
      config.epochs.finetune,
    )
  )
    return { ...model, graphs };
  const started = Date.now();
  const state = optimizer.init(model.params, model.adapterNames);
  const result = await trainPhase({
    phase: 'finetune',
    optimizer,
    state,
    graphs,
    params: model.params,
    epochs: config.epochs.finetune,
    schedule: schedule(config.optimizer.finetune, config.epochs.finetune),
    backend: ctx.backend,
    checkpoint,
    ...phaseHooks(ctx, {
      stage,
      phase: 'finetune',
      label: `${pde} finetune ${lambdaKey(lambda)} seed ${seed}`,
      epochs: config.epochs.finetune,
      pde,
      seed,
      lambda,
      ...(model.adapter.diagnostics
        ? {
            extra: () => model.adapter.diagnostics?.(config, model.net, model.params, state) ?? {},
          }
        : {}),
    }),
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
  const final = model.adapter.diagnostics?.(config, model.net, model.params, result.state);
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
    ...(Array.isArray(final?.rank) ? { ranks: final.rank as number[] } : {}),
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
