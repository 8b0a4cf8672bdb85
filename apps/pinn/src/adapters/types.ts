/**
 * What the PINN app needs from an adapter family to fine-tune with it: the
 * adapted network, fresh parameters, the training rule, and the SVD view
 * that rank determination prunes through. One record per family, in
 * `adapters/<name>.ts`, registered in `adapters/index.ts`.
 */
import type { CurvatureHook } from '@sublora/geolora';
import type { MlpShape, ParamValues, SvdAdapter } from '@sublora/nn';
import type { Random } from '@sublora/tensor';
import type { AdapterName, PinnConfig } from '../config';
import type { NetworkSpec } from '../model';
import type { Optimizer, OptimizerState } from '../optimizer';

/** What a training rule may ask of the stage that runs it. */
export interface TrainingHooks {
  /**
   * `g` and `H` of the fine-tuning loss w.r.t. the singular values of given
   * SVD views (GeoLoRA's `budget-<method>` truncations need them mid-training).
   */
  readonly curvature?: CurvatureHook;
}

/** An adapter family as the stages use it. */
export interface PinnAdapter {
  readonly name: AdapterName;
  /** The adapted network over a pretrained MLP of this shape. */
  network(config: PinnConfig, shape: MlpShape): NetworkSpec;
  /** Fresh adapter parameters (the update starts at zero: the network is the pretrained one). */
  init(config: PinnConfig, net: NetworkSpec, rng: Random): ParamValues;
  /** How fine-tuning moves the adapter's parameters. */
  optimizer(config: PinnConfig, hooks?: TrainingHooks): Optimizer;
  /** Each adapted layer's update in SVD form, and how pruning writes back. */
  svd(config: PinnConfig, net: NetworkSpec): SvdAdapter<ParamValues>;
  /**
   * What fine-tuning logs with every epoch record besides the loss (e.g.
   * PoLAR's stable ranks, GeoLoRA's ranks), from the parameters and the
   * optimizer's state.
   */
  diagnostics?(
    config: PinnConfig,
    net: NetworkSpec,
    params: ParamValues,
    state?: OptimizerState,
  ): Record<string, unknown>;
}
