/**
 * How a training phase moves its parameters, as a record (fp-ts style): a
 * fresh state and one in-place step. Adam serves pretraining and LoRA-SVD;
 * adapters with their own geometry (PoLAR's landing field, GeoLoRA's
 * basis-augmenting step) bring their own record. The state is named float64
 * buffers, so checkpoints save and restore any optimizer the same way.
 */
import { type AdamState, type ParamValues, adamStep, createAdamState } from '@sublora/nn';

/**
 * An optimizer's state: the step count, buffers shaped like the parameters
 * (`slots[slot][param]`, saved as checkpoint tensors `<slot>/<param>`) and
 * JSON-able extras (saved in the checkpoint's metadata).
 */
export interface OptimizerState {
  t: number;
  readonly slots: Readonly<Record<string, Record<string, Float64Array>>>;
  extra?: Record<string, unknown>;
}

/** A training rule for the trained parameters of a phase. */
export interface Optimizer {
  /** Short name for logs, e.g. `adam`. */
  readonly name: string;
  /** A fresh state for the named parameters. */
  init(params: ParamValues, trained: readonly string[]): OptimizerState;
  /**
   * One step, updating `params` and `state` in place (a promise when the
   * step itself evaluates graphs, as GeoLoRA's SubLoRA truncation does).
   * @param grads - the loss gradient of every trained parameter
   * @param frozen - 0/1 masks per parameter: entries with 1 are held at 0
   */
  step(
    state: OptimizerState,
    params: ParamValues,
    grads: Readonly<Record<string, Float64Array>>,
    lr: number,
    frozen?: Readonly<Record<string, ArrayLike<number>>>,
  ): void | Promise<void>;
}

/** Adam's moments as `@sublora/nn`'s state, sharing the buffers. */
function asAdam(state: OptimizerState): AdamState {
  return { t: state.t, m: state.slots['adam.m'], v: state.slots['adam.v'] };
}

/** Adam (`@sublora/nn`, defaults 0.9, 0.999, 1e-8); its slots are `adam.m` and `adam.v`. */
export const adam: Optimizer = {
  name: 'adam',
  init: (params, trained) => {
    const { t, m, v } = createAdamState(params, trained);
    return { t, slots: { 'adam.m': m, 'adam.v': v } };
  },
  step: (state, params, grads, lr, frozen) => {
    const moments = asAdam(state);
    adamStep(moments, params, grads, lr, {}, frozen);
    state.t = moments.t;
  },
};
