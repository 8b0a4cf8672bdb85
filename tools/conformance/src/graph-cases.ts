/**
 * Whole-graph cases: the loss, gradient and Hessian of a small PINN-style
 * loss, built with `@sublora/autodiff` and run with its `evaluate` (node by
 * node, or handed whole to a backend that executes graphs, like onnxruntime).
 *
 * The model is a tanh MLP u(x; θ) = tanh(x W1 + b1) W2 on points x ∈ R^{N×2},
 * all parameters in one vector θ (so the Hessian is one [P, P] matrix), and
 * the loss is the mean squared Laplacian residual
 *
 *     L(θ) = mean_i (Δ_x u(x_i; θ) - f_i)^2,
 *
 * which chains second input derivatives, then first and second parameter
 * derivatives: up to fourth derivatives of tanh.
 */
import {
  call,
  hessian,
  laplacian,
  matmul,
  mean,
  reshape,
  slice,
  spec,
  square,
  sub,
  tanh,
  trace,
  add,
  evaluate,
  valueAndGrad,
  type Graph,
} from '@sublora/autodiff';
import type { DType } from '@sublora/tensor';
import type { ConformanceCase } from './cases';
import { uniform } from './random';

const N = 6; // collocation points
const D = 2; // input dimension
const H = 4; // hidden units
const P = D * H + H + H; // parameters: W1, b1, W2

/** The three graphs of one dtype: loss, [loss, gradient], Hessian; inputs (θ, x, f). */
interface LossGraphs {
  readonly loss: Graph;
  readonly valueAndGrad: Graph;
  readonly hessian: Graph;
}

function buildGraphs(dtype: DType): LossGraphs {
  const inputs = [spec('theta', [P], dtype), spec('x', [N, D], dtype)];
  const u = trace(inputs, (theta, x) => {
    const w1 = reshape(slice(theta, [0], [D * H]), [D, H]);
    const b1 = slice(theta, [D * H], [H]);
    const w2 = reshape(slice(theta, [D * H + H], [H]), [H, 1]);
    return matmul(tanh(add(matmul(x, w1), b1)), w2);
  });
  const lap = laplacian(u, { wrt: 1 });
  const loss = trace([...inputs, spec('f', [N, 1], dtype)], (theta, x, f) => {
    const [du] = call(lap, theta, x);
    return mean(square(sub(du, f)));
  });
  return { loss, valueAndGrad: valueAndGrad(loss, { wrt: 0 }), hessian: hessian(loss, { wrt: 0 }) };
}

const cache = new Map<DType, LossGraphs>();
function graphsFor(dtype: DType): LossGraphs {
  let g = cache.get(dtype);
  if (!g) cache.set(dtype, (g = buildGraphs(dtype)));
  return g;
}

function graphCase(name: string, pick: (g: LossGraphs) => Graph): ConformanceCase {
  return {
    name,
    op: 'evaluate',
    setup: (rng) => ({
      inputs: [uniform(rng, [P], -1, 1), uniform(rng, [N, D], -1, 1), uniform(rng, [N, 1], -1, 1)],
      kind: 'graph',
      terms: N * H,
      detail: `tanh MLP ${D}-${H}-1, ${N} points, θ ∈ R^${P}`,
      compute: (backend, xs, dtype) => evaluate(pick(graphsFor(dtype)), backend, xs),
    }),
  };
}

/** Loss, gradient and Hessian of the MLP Laplacian-residual loss. */
export const GRAPH_CASES: readonly ConformanceCase[] = [
  graphCase('graph: Laplacian-residual loss', (g) => g.loss),
  graphCase('graph: loss and gradient', (g) => g.valueAndGrad),
  graphCase('graph: Hessian of the loss', (g) => g.hessian),
];
