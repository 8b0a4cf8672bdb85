/**
 * One training phase: full-batch steps of an {@link Optimizer} (Adam by
 * default) on the trainable parameters for a number of epochs (one epoch = one step over all collocation points),
 * with per-term loss logging, a stop on the first non-finite loss, and
 * resumable checkpoints. Each epoch first yields to the event loop, so a
 * SIGINT handler runs within one epoch even on backends whose evaluation
 * never waits on I/O (the reference backend).
 */
import { evaluateToArrays, NonFiniteValueError, type EvaluateOptions } from '@sublora/autodiff';
import type { ParamValues, Schedule } from '@sublora/nn';
import type { Backend, Tensor } from '@sublora/tensor';
import {
  type CheckpointExpectation,
  type CheckpointMeta,
  type NamedTensor,
  hasCheckpoint,
  loadCheckpoint,
  saveCheckpoint,
} from './checkpoint';
import type { CheckpointStage } from './checkpoint-keys';
import type { LossGraphs } from './model';
import { type Optimizer, type OptimizerState, adam } from './optimizer';
import type { Progress } from './progress';

/**
 * The loss turned NaN or infinite; the message names the term and epoch and,
 * when known, the first graph node whose value was not finite (`firstNode`,
 * from a rerun of the step with `evaluate`'s `checkFinite`).
 */
export class NonFiniteLossError extends Error {
  constructor(
    readonly phase: string,
    readonly epoch: number,
    readonly term: string,
    readonly value: number,
    readonly firstNode?: string,
  ) {
    super(
      `${phase}: loss term '${term}' is ${value} at epoch ${epoch}; lower the learning rate (optimizer.*Lr), mu_b, or check the data of that term` +
        (firstNode ? ` (first non-finite value: ${firstNode})` : ''),
    );
    this.name = 'NonFiniteLossError';
  }
}

/** Per-epoch record passed to `onEpoch`. */
export interface EpochRecord {
  /** Epoch index within the phase (0-based; the loss is measured before that epoch's update). */
  readonly epoch: number;
  readonly loss: number;
  readonly terms: Readonly<Record<string, number>>;
  readonly lr: number;
}

/** Where and how often a phase checkpoints. */
export interface CheckpointPlan {
  readonly dir: string;
  readonly name: string;
  /** Save every this many epochs (0 = only at the end). */
  readonly every: number;
  /** Which config keys the checkpoint depends on (checked on load). */
  readonly stage: CheckpointStage;
  readonly meta: Omit<CheckpointMeta, 'step' | 'phase'>;
  /** Extra resume state, read at each save (e.g. a trajectory that grows). */
  readonly state?: () => Record<string, unknown>;
  /** Runs before each save (e.g. fsync the metrics the checkpoint covers). */
  readonly beforeSave?: () => void;
}

/** Options of {@link trainPhase}. */
export interface PhaseOptions {
  readonly phase: string;
  readonly graphs: LossGraphs;
  /** All parameters in `graphs.paramNames` order; the trainable ones are updated in place. */
  readonly params: ParamValues;
  readonly epochs: number;
  readonly schedule: Schedule;
  readonly backend: Backend;
  /** The training rule (default: Adam). */
  readonly optimizer?: Optimizer;
  /** Optimizer state to continue (alternating rounds); a fresh one otherwise. */
  readonly state?: OptimizerState;
  /** Entries held at 0 (1 = frozen) per parameter. */
  readonly frozen?: Readonly<Record<string, ArrayLike<number>>>;
  readonly checkpoint?: CheckpointPlan;
  readonly progress?: Progress;
  readonly onEpoch?: (record: EpochRecord) => void;
  /**
   * Called once before the first epoch with the epoch the phase starts from
   * (0 = fresh) and the `state` the checkpoint it resumes from was saved with.
   */
  readonly onStart?: (step: number, state: Readonly<Record<string, unknown>> | undefined) => void;
  /** Stop (with a checkpoint) once this many epochs of the phase are done: interruption in tests, SIGINT in the CLI. */
  readonly shouldStop?: (epochsDone: number) => boolean;
}

/** What a phase returns. */
export interface PhaseResult {
  readonly state: OptimizerState;
  /** Loss and terms at the final parameters. */
  readonly final: { readonly loss: number; readonly terms: Readonly<Record<string, number>> };
  /** Epochs done (== `epochs` unless stopped). */
  readonly epochsDone: number;
  /** True when `shouldStop` ended the phase early. */
  readonly interrupted: boolean;
  /** Epoch the phase resumed from (0 = fresh start). */
  readonly resumedFrom: number;
}

/** Graph inputs for the current parameters: uploaded once for fixed ones, per call for trained ones. */
export class GraphInputs {
  private readonly fixed = new Map<string, Tensor>();
  private readonly dataTensors: Tensor[];

  constructor(
    private readonly backend: Backend,
    private readonly graphs: LossGraphs,
    private readonly params: ParamValues,
    varying: ReadonlySet<string>,
  ) {
    const specs = graphs.loss.inputs;
    graphs.paramNames.forEach((name, i) => {
      if (!varying.has(name))
        this.fixed.set(name, backend.fromArray(params[name].data, specs[i].shape, specs[i].dtype));
    });
    this.dataTensors = graphs.data.map((d, i) => {
      const s = specs[graphs.paramNames.length + i];
      return backend.fromArray(d, s.shape, s.dtype);
    });
  }

  /** The positional inputs; fresh tensors for varying parameters are returned in `temporary`. */
  current(): { inputs: Tensor[]; temporary: Tensor[] } {
    const specs = this.graphs.loss.inputs;
    const temporary: Tensor[] = [];
    const inputs = this.graphs.paramNames.map((name, i) => {
      const fixed = this.fixed.get(name);
      if (fixed) return fixed;
      const t = this.backend.fromArray(this.params[name].data, specs[i].shape, specs[i].dtype);
      temporary.push(t);
      return t;
    });
    return { inputs: [...inputs, ...this.dataTensors], temporary };
  }

  /** Runs a graph with the current inputs and reads every output back. */
  async run(graph: LossGraphs['loss'], options: EvaluateOptions = {}): Promise<Float64Array[]> {
    const { inputs, temporary } = this.current();
    try {
      const out = await evaluateToArrays(graph, this.backend, inputs, options);
      return out.map((o) => (o instanceof Float64Array ? o : Float64Array.from(o)));
    } finally {
      for (const t of temporary) this.backend.dispose(t);
    }
  }

  /** Releases the uploaded tensors. */
  dispose(): void {
    for (const t of this.fixed.values()) this.backend.dispose(t);
    for (const t of this.dataTensors) this.backend.dispose(t);
  }
}

function termRecord(
  names: readonly string[],
  outputs: readonly Float64Array[],
): Record<string, number> {
  return Object.fromEntries(names.map((n, i) => [n, outputs[1 + i][0]]));
}

/**
 * Throws {@link NonFiniteLossError} when the loss or a term is not finite,
 * after running `graph` once more with `checkFinite` to name the first node
 * that went non-finite (the parameters have not moved since, so the rerun
 * sees the same values).
 */
async function assertFiniteLoss(
  phase: string,
  epoch: number,
  loss: number,
  terms: Readonly<Record<string, number>>,
  inputs: GraphInputs,
  graph: LossGraphs['loss'],
): Promise<void> {
  const bad =
    Object.entries(terms).find(([, value]) => !Number.isFinite(value)) ??
    (Number.isFinite(loss) ? undefined : ['total', loss]);
  if (!bad) return;
  let firstNode: string | undefined;
  try {
    await inputs.run(graph, { checkFinite: true });
  } catch (e) {
    if (!(e instanceof NonFiniteValueError)) throw e;
    firstNode = e.description;
  }
  throw new NonFiniteLossError(phase, epoch, bad[0], bad[1], firstNode);
}

/** Tensors of a phase checkpoint: parameters and the optimizer's buffers. */
export function phaseTensors(
  params: ParamValues,
  state: OptimizerState,
): Record<string, NamedTensor> {
  const out: Record<string, NamedTensor> = {};
  for (const [name, p] of Object.entries(params)) out[`param/${name}`] = p;
  for (const [slot, buffers] of Object.entries(state.slots))
    for (const [name, data] of Object.entries(buffers))
      out[`${slot}/${name}`] = { shape: params[name].shape, data };
  return out;
}

/** Shapes of {@link phaseTensors}: every parameter, and the optimizer's buffers. */
export function phaseShapes(
  params: ParamValues,
  state: OptimizerState,
): Record<string, readonly number[]> {
  const out: Record<string, readonly number[]> = {};
  for (const [name, p] of Object.entries(params)) out[`param/${name}`] = p.shape;
  for (const [slot, buffers] of Object.entries(state.slots))
    for (const name of Object.keys(buffers)) out[`${slot}/${name}`] = params[name].shape;
  return out;
}

/** What a phase's checkpoint must match: the plan's config, stage and seed, and these shapes. */
export function expectationOf(
  plan: Pick<CheckpointPlan, 'stage' | 'meta'>,
  params: ParamValues,
  state: OptimizerState,
): CheckpointExpectation {
  return {
    config: plan.meta.config,
    stage: plan.stage,
    seed: plan.meta.seed,
    shapes: phaseShapes(params, state),
  };
}

/** The checkpoint metadata that records an optimizer state beside its tensors. */
export function optimizerMeta(state: OptimizerState): Record<string, unknown> {
  return { optimizerStep: state.t, ...(state.extra ? { optimizerExtra: state.extra } : {}) };
}

/** Restores parameters and the optimizer state (in place) from a checkpoint. */
export function restorePhase(
  tensors: Record<string, NamedTensor>,
  meta: Readonly<Record<string, unknown>> | undefined,
  params: ParamValues,
  state: OptimizerState,
): void {
  for (const name of Object.keys(params)) {
    const t = tensors[`param/${name}`];
    if (!t || t.data.length !== params[name].data.length)
      throw new Error(
        `checkpoint: parameter '${name}' is missing or has the wrong size; the config changed since it was saved, use a new run name`,
      );
    params[name].data.set(t.data);
  }
  for (const [slot, buffers] of Object.entries(state.slots))
    for (const [name, data] of Object.entries(buffers)) data.set(tensors[`${slot}/${name}`].data);
  // `adamT`: what checkpoints written before optimizers were pluggable call the step count.
  state.t = Number(meta?.optimizerStep ?? meta?.adamT ?? 0);
  if (meta?.optimizerExtra) state.extra = { ...(meta.optimizerExtra as Record<string, unknown>) };
}

/**
 * Runs (or resumes) one phase. If `checkpoint` names an existing checkpoint of
 * this phase, parameters, optimizer state and the epoch counter are restored from
 * it first, so an interrupted run continues exactly where it stopped.
 */
export async function trainPhase(options: PhaseOptions): Promise<PhaseResult> {
  const { graphs, params, backend, checkpoint } = options;
  const optimizer = options.optimizer ?? adam;
  const state = options.state ?? optimizer.init(params, graphs.trainable);
  let start = 0;
  let resumedState: Record<string, unknown> | undefined;
  if (checkpoint && hasCheckpoint(checkpoint.dir, checkpoint.name)) {
    const saved = loadCheckpoint(
      checkpoint.dir,
      checkpoint.name,
      expectationOf(checkpoint, params, state),
    );
    if (saved.meta.phase === options.phase && saved.meta.step <= options.epochs) {
      restorePhase(saved.tensors, saved.meta.state, params, state);
      start = saved.meta.step;
      resumedState = saved.meta.state;
    }
  }
  options.onStart?.(start, resumedState);
  const save = (step: number): void => {
    if (!checkpoint) return;
    checkpoint.beforeSave?.();
    saveCheckpoint(checkpoint.dir, checkpoint.name, phaseTensors(params, state), {
      ...checkpoint.meta,
      phase: options.phase,
      step,
      state: {
        ...(checkpoint.meta.state ?? {}),
        ...(checkpoint.state?.() ?? {}),
        ...optimizerMeta(state),
      },
    });
  };

  const inputs = new GraphInputs(backend, graphs, params, new Set(graphs.trainable));
  const trainable = graphs.trainable;
  const termCount = graphs.termNames.length;
  let epoch = start;
  let interrupted = false;
  try {
    for (; epoch < options.epochs; epoch++) {
      // Let signal handlers and timers run (see the module comment).
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (options.shouldStop?.(epoch)) {
        interrupted = true;
        break;
      }
      const out = await inputs.run(graphs.step);
      const loss = out[0][0];
      const terms = termRecord(graphs.termNames, out);
      await assertFiniteLoss(options.phase, epoch, loss, terms, inputs, graphs.step);
      const lr = options.schedule(epoch);
      options.onEpoch?.({ epoch, loss, terms, lr });
      options.progress?.update(epoch + 1, { loss });
      const grads = Object.fromEntries(trainable.map((n, i) => [n, out[1 + termCount + i]]));
      await optimizer.step(state, params, grads, lr, options.frozen);
      if (
        checkpoint &&
        checkpoint.every > 0 &&
        (epoch + 1) % checkpoint.every === 0 &&
        epoch + 1 < options.epochs
      )
        save(epoch + 1);
    }
    const out = await inputs.run(graphs.loss);
    const final = { loss: out[0][0], terms: termRecord(graphs.termNames, out) };
    if (!interrupted)
      await assertFiniteLoss(options.phase, epoch, final.loss, final.terms, inputs, graphs.loss);
    save(epoch);
    if (!interrupted) options.progress?.finish({ loss: final.loss });
    return { state, final, epochsDone: epoch, interrupted, resumedFrom: start };
  } finally {
    inputs.dispose();
  }
}
