/**
 * onnxruntime's graph optimization level per session. The optimizer's
 * compile time grows faster than the graph (it walks the graph once per
 * rewrite rule, repeatedly), while what it saves a run depends on what it
 * finds to fuse. Measured on the PINN benchmark's Hessian w.r.t. sigma
 * (`tools/bench` `hessian-oneoff --loss taylor-lap`, shared 2-vCPU machine,
 * alternating fresh processes, 2026-12-04):
 * - float64: `all` finds almost nothing to fuse in float64 (its fusions are
 *   registered for float32), so runs take the same time and give
 *   bit-identical results, while compiling the w = 1000 Hessian graph of the
 *   nested-jvp loss (27111 nodes) took 21.4 s of CPU against 2.9 s `disabled`.
 * - float32, w = 1000, forward-Laplacian loss (21802 nodes): `all` adds
 *   about 11 s to the first call (18.4-20.9 s against 7.5-8.5 s); later
 *   calls took 4.3-4.7 s against 4.5-5.2 s (five pairs in three runs: from
 *   4 % slower to 13 % faster with `all`, 5 % on average), and onnxruntime's
 *   profile of one call each showed the same kernels at the same times. At
 *   w = 256 (7182 nodes): 1.0 s more compile, calls equal. The optimizer
 *   fused 13 matmul-add pairs into Gemm and 64 slices into splits there,
 *   and folded 36 constant expands. JSON: `docs/perf/hessian-oneoff-*-f32-*`.
 * - Training steps are graphs of a few hundred nodes (the w = 256 gradient:
 *   270-319), run thousands of times: they keep `all` in float32.
 */
import type { InferenceSession } from 'onnxruntime-node';
import type { DType } from '@sublora/tensor';

/** An onnxruntime graph optimization level. */
export type GraphOptimizationLevel = NonNullable<
  InferenceSession.SessionOptions['graphOptimizationLevel']
>;

/** float32 graphs of at least this many nodes compile with the optimizer `disabled`. */
export const OPTIMIZER_MAX_NODES = 4096;

/**
 * onnxruntime's graph optimization level for a graph of `nodes` nodes when
 * `sessionOptions` does not set one: `disabled` for float64 compute and for
 * float32 graphs of at least {@link OPTIMIZER_MAX_NODES} nodes, `all` for
 * smaller float32 graphs, where onnxruntime's fusions apply at little
 * compile cost. `nodes` defaults to 0 (a small graph).
 */
export function defaultGraphOptimizationLevel(
  computeDtype: DType,
  nodes = 0,
): GraphOptimizationLevel {
  return computeDtype === 'float64' || nodes >= OPTIMIZER_MAX_NODES ? 'disabled' : 'all';
}
