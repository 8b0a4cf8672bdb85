/**
 * Input derivatives for PDE residuals on batched collocation points. Input
 * `wrt` has shape `[N, d]` and every output row depends only on its own input
 * row, so the derivative w.r.t. column `dim` at every point is ONE forward
 * pass with tangent = ones in column `dim` (never a Jacobian); higher and mixed
 * orders nest forward passes.
 */
import { Builder } from '../ir/builder';
import { call } from '../ir/trace';
import { GraphError, type Graph } from '../ir/types';
import * as ops from '../ops';
import { simplify } from '../passes/simplify';
import type { Tangent } from '../primitives/types';
import { jvpNodes } from './jvp';
import { Tangents } from './tangents';
import { checkWrt } from './wrt';

/** Options of {@link partial}: either `dim` (+ `order`) or `dims` (mixed). */
export interface PartialOptions {
  /** Index of the points input (`[N, d]`). */
  readonly wrt: number;
  /** Column to differentiate along, repeated `order` times. */
  readonly dim?: number;
  /** Derivative order along `dim` (default 1). */
  readonly order?: number;
  /** Mixed derivative: one column per differentiation, e.g. `[0, 2]` for d2/dx0 dt. */
  readonly dims?: readonly number[];
}

function pointsShape(where: string, f: Graph, wrt: number): readonly number[] {
  const s = f.inputs[checkWrt(where, f, wrt)].shape;
  if (s.length !== 2) {
    throw new GraphError(
      where,
      `input ${f.inputs[wrt].name} must be points of shape [N, d], got [${s.join(',')}]`,
    );
  }
  return s;
}

/** One forward pass along column `dim`: same inputs as f, outputs the directional derivatives of f's outputs. */
function directional(f: Graph, wrt: number, dim: number): Graph {
  const [N, d] = f.inputs[wrt].shape;
  const b = new Builder(f.inputs);
  const x = b.args[wrt];
  const onehot = new Array<number>(d).fill(0);
  onehot[dim] = 1;
  const column = ops.broadcastTo(
    b.emit('constant', [], { data: onehot, shape: [d], dtype: x.dtype }),
    [N, d],
  );
  const seeds: Tangent[] = f.inputs.map((_, i) => (i === wrt ? column : null));
  const T = new Tangents();
  const { values, tangents } = jvpNodes(b, f, b.args, seeds, T);
  return b.finish(f.outputs.map((id) => T.denseOrZeros(tangents[id], values[id], values[id])));
}

/**
 * `d^order f / dx[:, dim]^order`, or the mixed derivative along `dims`, of
 * every output of f, for input `wrt` of shape `[N, d]` with independent rows.
 * Same inputs as f.
 */
export function partial(f: Graph, options: PartialOptions): Graph {
  const [, d] = pointsShape('partial', f, options.wrt);
  const dims = options.dims ?? new Array<number>(options.order ?? 1).fill(options.dim ?? -1);
  if (options.dims && (options.dim !== undefined || options.order !== undefined)) {
    throw new GraphError('partial', 'give either dims or dim (with order), not both');
  }
  if (dims.length === 0) throw new GraphError('partial', 'order must be at least 1');
  for (const k of dims) {
    if (!Number.isInteger(k) || k < 0 || k >= d) {
      throw new GraphError(
        'partial',
        `dim ${String(k)} is not a column of the [N, ${d}] points; use 0 <= dim < ${d}`,
      );
    }
  }
  let g = f;
  for (const k of dims) g = directional(g, options.wrt, k);
  return simplify(g);
}

/** Options of {@link laplacian}. */
export interface LaplacianOptions {
  /** Index of the points input (`[N, d]`). */
  readonly wrt: number;
  /** Columns summed over (default all); e.g. the spatial ones when the last is time. */
  readonly dims?: readonly number[];
}

/**
 * `sum_k d2 f / dx[:, k]^2` over `dims` for every output of f (one nested
 * forward pass per column; shared primal work is merged). Same inputs as f.
 */
export function laplacian(f: Graph, options: LaplacianOptions): Graph {
  const [, d] = pointsShape('laplacian', f, options.wrt);
  const dims = options.dims ?? Array.from({ length: d }, (_, k) => k);
  if (dims.length === 0)
    throw new GraphError('laplacian', 'dims is empty; name at least one column');
  const seconds = dims.map((k) => partial(f, { wrt: options.wrt, dim: k, order: 2 }));
  const b = new Builder(f.inputs);
  const parts = seconds.map((g) => call(g, ...b.args));
  const outs = f.outputs.map((_, j) =>
    parts.slice(1).reduce((acc, p) => ops.add(acc, p[j]), parts[0][j]),
  );
  return simplify(b.finish(outs));
}
