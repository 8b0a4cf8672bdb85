/**
 * Second order and Jacobians: `hvp`, `hessian` (forward-over-reverse with a
 * batched tangent: one pass for all directions) and `jacobian` (forward mode
 * over the input basis, batched).
 */
import { sizeOf } from '@sublora/tensor';
import { Builder, type Value } from '../ir/builder';
import { GraphError, type Graph } from '../ir/types';
import * as ops from '../ops';
import { simplify } from '../passes/simplify';
import type { Tangent } from '../primitives/types';
import { jvpNodes } from './jvp';
import { DiagTangent, Tangents } from './tangents';
import { grad } from './vjp';
import { checkWrt } from './wrt';

/** Options of {@link hvp}. */
export interface SingleWrtOptions {
  /** Index of the input to differentiate. */
  readonly wrt: number;
}

/**
 * Hessian-vector product `H v` of f's first output (a scalar) w.r.t. input
 * `wrt`, as forward over reverse. Inputs: f's inputs, then `v`.
 */
export function hvp(f: Graph, options: SingleWrtOptions): Graph {
  const wrt = checkWrt('hvp', f, options.wrt);
  const g = grad(f, { wrt });
  const b = new Builder([...f.inputs, { ...f.inputs[wrt], name: 'v' }]);
  const seeds: Tangent[] = f.inputs.map((_, i) => (i === wrt ? b.args[f.inputs.length] : null));
  const T = new Tangents();
  const { values, tangents } = jvpNodes(b, g, b.args.slice(0, f.inputs.length), seeds, T);
  const id = g.outputs[0];
  return simplify(b.finish([T.denseOrZeros(tangents[id], values[id], values[id])]));
}

/**
 * The batched seed for basis directions `first .. first+B-1` of an input:
 * a structured {@link DiagTangent} for vectors, a dense slice of the identity
 * otherwise.
 */
function basisSeed(x: Value, first: number, B: number): Tangent {
  if (x.shape.length === 1) return new DiagTangent(ops.full(x, 1, x.shape), -first);
  const n = sizeOf(x.shape);
  const data = new Array<number>(B * n).fill(0);
  for (let b = 0; b < B; b++) data[b * n + first + b] = 1;
  return x.builder.emit('constant', [], { data, shape: [B, ...x.shape], dtype: x.dtype });
}

/** Evaluates the tangents of `g`'s outputs for the basis directions of input `wrt`, `chunk` at a time; returns `[n, ...outShape]` per output. */
function basisJvp(b: Builder, g: Graph, nInputs: number, wrt: number, chunk: number): Value[] {
  const x = b.args[wrt];
  const n = sizeOf(x.shape);
  const pieces: Value[][] = g.outputs.map(() => []);
  for (let first = 0; first < n; first += chunk) {
    const B = Math.min(chunk, n - first);
    const T = new Tangents(B);
    const seeds: Tangent[] = b.args
      .slice(0, nInputs)
      .map((_, i) => (i === wrt ? basisSeed(x, first, B) : null));
    const { values, tangents } = jvpNodes(b, g, b.args.slice(0, nInputs), seeds, T);
    g.outputs.forEach((id, k) =>
      pieces[k].push(T.denseOrZeros(tangents[id], values[id], values[id])),
    );
  }
  return pieces.map((p) => ops.concat(p, 0));
}

/** Options of {@link hessian}. */
export interface HessianOptions extends SingleWrtOptions {
  /** Directions per batched pass (default: all at once). Smaller bounds memory. */
  readonly chunk?: number;
}

function checkChunk(where: string, chunk: number | undefined, n: number): number {
  const c = chunk ?? n;
  if (!Number.isInteger(c) || c < 1)
    throw new GraphError(where, `chunk ${String(chunk)} must be a positive integer`);
  return Math.min(c, Math.max(n, 1));
}

/**
 * Full Hessian of f's first output (a scalar) w.r.t. input `wrt` of shape s,
 * as a `[...s, ...s]` output. Forward over reverse: the gradient graph is
 * differentiated once with a batched tangent holding all basis directions
 * (or `chunk` of them per pass), not once per direction. Same inputs as f.
 */
export function hessian(f: Graph, options: HessianOptions): Graph {
  const wrt = checkWrt('hessian', f, options.wrt);
  const s = f.inputs[wrt].shape;
  const n = sizeOf(s);
  const chunk = checkChunk('hessian', options.chunk, n);
  const g = grad(f, { wrt });
  const b = new Builder(f.inputs);
  const [rows] = basisJvp(b, g, f.inputs.length, wrt, chunk);
  return simplify(b.finish([ops.reshape(rows, [...s, ...s])]));
}

/** Options of {@link jacobian}. */
export type JacobianOptions = HessianOptions;

/**
 * Jacobian of every output of f w.r.t. input `wrt` (shape s), by batched
 * forward mode over the input basis: output k has shape `[...outShape_k, ...s]`.
 */
export function jacobian(f: Graph, options: JacobianOptions): Graph {
  const wrt = checkWrt('jacobian', f, options.wrt);
  const s = f.inputs[wrt].shape;
  const n = sizeOf(s);
  const chunk = checkChunk('jacobian', options.chunk, n);
  const b = new Builder(f.inputs);
  const rows = basisJvp(b, f, f.inputs.length, wrt, chunk);
  const outs = rows.map((r) => {
    const rank = r.shape.length;
    const moved = ops.transpose(r, [...Array.from({ length: rank - 1 }, (_, i) => i + 1), 0]);
    return ops.reshape(moved, [...r.shape.slice(1), ...s]);
  });
  return simplify(b.finish(outs));
}
