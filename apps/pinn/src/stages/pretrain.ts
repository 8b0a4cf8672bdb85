/** Stage 1: pretraining the full network at `config.pretrainLambda`. */
import { type ParamValues, initMlp } from '@sublora/nn';
import { type NetworkSpec } from '../model';
import { PDES, type PdeName } from '../pdes';
import { type PretrainResult } from '../results';
import { streamFor } from '../seeds';
import { adam } from '../optimizer';
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
    restoreFinished(
      checkpoint,
      params,
      adam.init(params, Object.keys(params)),
      config.epochs.pretrain,
    )
  )
    return params;
  const started = Date.now();
  const col = collocationFor(ctx, def, lambda, seed);
  const graphs = graphsFor(ctx, def, col, net, params, Object.keys(params));
  const result = await trainPhase({
    phase: 'pretrain',
    graphs,
    params,
    epochs: config.epochs.pretrain,
    schedule: schedule(config.optimizer.pretrain, config.epochs.pretrain),
    backend: ctx.backend,
    checkpoint,
    ...phaseHooks(ctx, {
      stage,
      phase: 'pretrain',
      label: `${pde} pretrain seed ${seed}`,
      epochs: config.epochs.pretrain,
      pde,
      seed,
      lambda,
    }),
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
