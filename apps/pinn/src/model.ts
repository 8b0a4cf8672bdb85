/**
 * The PINN loss as autodiff graphs: network (plain or LoRA-adapted), input
 * derivatives by Taylor mode, the PDE operator, and the weighted mean squared
 * residuals of every term. Collocation data are graph inputs, so one graph
 * serves every epoch.
 *
 * Graph inputs, in order: the parameters (`paramNames`), then the interior
 * points and source, then points and target of each boundary/initial term.
 */
import {
  type Graph,
  type InputSpec,
  type Value,
  add,
  call,
  grad,
  hessian,
  mean,
  mul,
  simplify,
  slice,
  spec,
  square,
  sub,
  trace,
  valueAndGrad,
} from '@sublora/autodiff';
import {
  type LoraShape,
  type MlpShape,
  type ParamValues,
  SIGMA,
  type TracedLinear,
  bindValues,
  denseLayers,
  loraLayers,
  loraNames,
  mlpForward,
  mlpWithInputDerivatives,
  orthogonalityPenalty,
  paramSpecs,
} from '@sublora/nn';
import type { DType } from '@sublora/tensor';
import type { Collocation, Points } from './geometry';
import { type Algebra, type FieldName, type Fields, type PdeDefinition } from './pdes';

/** The network: its MLP shape, and the LoRA adapter when fine-tuning. */
export interface NetworkSpec {
  readonly shape: MlpShape;
  readonly lora?: LoraShape;
  /**
   * The traced layers of another adapter family (PoLAR, GeoLoRA), from the
   * bound parameter values; takes precedence over `lora` when set.
   */
  readonly layers?: (values: Readonly<Record<string, Value>>) => TracedLinear[];
}

/** Loss weights. */
export interface LossWeights {
  /** Weight of every boundary/initial term (the interior term has weight 1). */
  readonly muB: number;
  /** Weight of the AdaLoRA orthogonality regulariser (LoRA only; 0 = off). */
  readonly orthogonality: number;
}

/** Graphs of one training problem. */
export interface LossGraphs {
  /** Parameter names, in graph input order. */
  readonly paramNames: readonly string[];
  /** The trained subset, in the order `step` returns their gradients. */
  readonly trainable: readonly string[];
  /** `interior`, then the collocation's term names. */
  readonly termNames: readonly string[];
  /** Outputs: total loss, each term's mean squared residual, then one gradient per trainable parameter. */
  readonly step: Graph;
  /** Outputs: total loss, then each term's mean squared residual. */
  readonly loss: Graph;
  /** The data inputs (after the parameters), in order. */
  readonly data: readonly Float64Array[];
}

const valueAlgebra: Algebra<Value> = {
  add: (a, b) => add(a, b),
  sub: (a, b) => sub(a, b),
  mul: (a, b) => mul(a, b),
  scale: (a, k) => mul(a, k),
  shift: (a, k) => add(a, k),
};

function column(x: Value, k: number): Value {
  return slice(x, [0, k], [x.shape[0], 1]);
}

/** Builds the traced layers for bound parameter values. */
export function tracedLayers(
  net: NetworkSpec,
  values: Readonly<Record<string, Value>>,
): TracedLinear[] {
  if (net.layers) return net.layers(values);
  return net.lora ? loraLayers(net.shape, net.lora, values) : denseLayers(net.shape, values);
}

/** The PDE fields at interior points, with the derivatives the operator requires. */
function interiorFields(
  def: PdeDefinition,
  layers: readonly TracedLinear[],
  x: Value,
): Fields<Value> {
  const needs = new Set<FieldName>(def.requires);
  const timeCol = 2;
  const first = [
    ...(needs.has('ux') ? [0] : []),
    ...(needs.has('uy') ? [1] : []),
    ...(needs.has('ut') ? [timeCol] : []),
  ];
  // the spatial Laplacian as one stream (forward Laplacian), not u_xx and u_yy separately
  const d = mlpWithInputDerivatives(layers, x, {
    first,
    second: needs.has('utt') ? [timeCol] : [],
    laplacian: needs.has('lap') ? [0, 1] : [],
  });
  const lap = d.laplacian;
  return {
    x: column(x, 0),
    y: column(x, 1),
    ...(def.timeDependent ? { t: column(x, timeCol) } : {}),
    u: d.u,
    ...(needs.has('ux') ? { ux: d.first.get(0) } : {}),
    ...(needs.has('uy') ? { uy: d.first.get(1) } : {}),
    ...(lap ? { lap } : {}),
    ...(needs.has('ut') ? { ut: d.first.get(timeCol) } : {}),
    ...(needs.has('utt') ? { utt: d.second.get(timeCol) } : {}),
  };
}

function pointsSpec(name: string, p: Points, dtype: DType): InputSpec {
  return spec(name, [p.count, p.dim], dtype);
}

/**
 * Builds the loss and training-step graphs.
 * @param params - all parameters (base, plus LoRA when `net.lora` is set); only shapes are read
 * @param trainable - names to differentiate (pretraining: all base; fine-tuning: the LoRA ones)
 */
export function buildLossGraphs(
  def: PdeDefinition,
  collocation: Collocation,
  net: NetworkSpec,
  params: ParamValues,
  trainable: readonly string[],
  weights: LossWeights,
  dtype: DType = 'float64',
): LossGraphs {
  const paramNames = Object.keys(params);
  const termNames = ['interior', ...collocation.terms.map((t) => t.name)];
  const specs: InputSpec[] = [
    ...paramSpecs(params, paramNames, dtype),
    pointsSpec('interior', collocation.interior, dtype),
    spec('source', [collocation.interior.count, 1], dtype),
    ...collocation.terms.flatMap((t) => [
      pointsSpec(`${t.name}.points`, t.points, dtype),
      spec(`${t.name}.target`, [t.points.count, 1], dtype),
    ]),
  ];
  const data = [
    collocation.interior.data,
    collocation.source,
    ...collocation.terms.flatMap((t) => [t.points.data, t.target]),
  ];

  const loss = trace(specs, (...args) => {
    const values = bindValues(paramNames, args);
    const layers = tracedLayers(net, values);
    const [interior, source, ...termArgs] = args.slice(paramNames.length);
    const residual = sub(def.operator(valueAlgebra, interiorFields(def, layers, interior)), source);
    const termLosses = [mean(square(residual))];
    collocation.terms.forEach((term, i) => {
      const points = termArgs[2 * i];
      const target = termArgs[2 * i + 1];
      const predicted =
        term.field === 'u'
          ? mlpForward(layers, points)
          : (mlpWithInputDerivatives(layers, points, { first: [2] }).first.get(2) as Value);
      termLosses.push(mean(square(sub(predicted, target))));
    });
    let total = termLosses[0];
    for (const t of termLosses.slice(1)) total = add(total, mul(t, weights.muB));
    if (net.lora && weights.orthogonality > 0) {
      for (const l of net.lora.layers) {
        const { u, v } = loraNames(l);
        total = add(total, mul(orthogonalityPenalty(values[u], values[v]), weights.orthogonality));
      }
    }
    return [total, ...termLosses];
  });

  const wrt = trainable.map((n) => {
    const i = paramNames.indexOf(n);
    if (i < 0) throw new Error(`trainable: no parameter named '${n}'`);
    return i;
  });
  const gradients = valueAndGrad(loss, { wrt });
  const step = simplify(
    trace(specs, (...args) => {
      const [value, ...grads] = call(gradients, ...args);
      const terms = call(loss, ...args).slice(1);
      return [value, ...terms, ...grads];
    }),
  );
  return { paramNames, trainable, termNames, step, loss: simplify(loss), data };
}

/**
 * The loss as a function of `lora.sigma`: outputs `[loss, g, H]` with the
 * gradient `[r]` and Hessian `[r, r]` w.r.t. sigma. The orthogonality
 * regulariser does not depend on sigma, so g and H are those of the PDE loss.
 * `adjointCuts` is passed to `hessian` (default true; turn it off for a
 * backend that compiles whole graphs, see `sigmaDerivativeGraph`).
 */
export function buildSigmaDerivatives(
  graphs: LossGraphs,
  options: { readonly adjointCuts?: boolean } = {},
): Graph {
  const pdeLoss = graphs.loss;
  const sigmaIndex = graphs.paramNames.indexOf(SIGMA);
  if (sigmaIndex < 0)
    throw new Error(
      'buildSigmaDerivatives: the graphs have no lora.sigma input; build them with a LoRA network',
    );
  const g = grad(pdeLoss, { wrt: sigmaIndex });
  const h = hessian(pdeLoss, { wrt: sigmaIndex, adjointCuts: options.adjointCuts });
  return simplify(
    trace(pdeLoss.inputs, (...args) => {
      const [value] = call(pdeLoss, ...args);
      const [gradient] = call(g, ...args);
      const [curvature] = call(h, ...args);
      return [value, gradient, curvature];
    }),
  );
}

/** Prediction graph u(points) for a network; inputs: parameters, then points `[N, dim]`. */
export function buildPredictor(
  net: NetworkSpec,
  params: ParamValues,
  count: number,
  dim: number,
  dtype: DType = 'float64',
): Graph {
  const paramNames = Object.keys(params);
  return trace(
    [...paramSpecs(params, paramNames, dtype), spec('points', [count, dim], dtype)],
    (...args) => {
      const values = bindValues(paramNames, args);
      return mlpForward(tracedLayers(net, values), args[paramNames.length]);
    },
  );
}
