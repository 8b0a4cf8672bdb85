/**
 * Second order and Jacobians: `hvp`, `hessian` (forward-over-reverse with a
 * batched tangent: one pass for all directions) and `jacobian` (forward mode
 * over the input basis, batched).
 */
import { sizeOf } from '@sublora/tensor';
import { Builder, type Value } from '../ir/builder';
import { inlineNodes } from '../ir/trace';
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
  /**
   * Directions per batched pass. Default: {@link defaultHessianChunk}, the
   * largest count whose biggest batched tangent stays within 4 MiB.
   */
  readonly chunk?: number;
}

function checkChunk(
  where: string,
  chunk: number | undefined,
  n: number,
  auto: () => number,
): number {
  const c = chunk ?? auto();
  if (!Number.isInteger(c) || c < 1)
    throw new GraphError(where, `chunk ${String(chunk)} must be a positive integer`);
  return Math.min(c, Math.max(n, 1));
}

/** Bytes the largest batched tangent of a Hessian pass may take with the default chunk. */
export const HESSIAN_CHUNK_BYTES = 4 * 2 ** 20;

/**
 * The default `chunk` of {@link hessian}: as many directions as keep the
 * largest tangent of the batched pass, `chunk x (largest node of g)`, within
 * {@link HESSIAN_CHUNK_BYTES} (at least 1, at most n). Memory-bounded
 * batches also stay in cache, which is faster on CPU backends than one huge
 * batch, and several chunks let {@link hessian} skip the gradient entries
 * that symmetry already gives.
 */
export function defaultHessianChunk(g: Graph, n: number): number {
  let largest = 1;
  for (const node of g.nodes) largest = Math.max(largest, sizeOf(node.shape));
  const bytes = largest * (g.nodes[g.outputs[0]]?.dtype === 'float32' ? 4 : 8);
  return Math.max(1, Math.min(n, Math.floor(HESSIAN_CHUNK_BYTES / bytes)));
}

/**
 * The entries `first ..` of f's (flattened) gradient as a graph with f's
 * inputs. Folding pushes the slice into the gradient's assembly (a sum of
 * zero-padded pieces per use of the input), so DCE drops the backward work
 * that only earlier entries needed, e.g. the earlier adapted layers.
 */
function gradientTail(f: Graph, g: Graph, first: number, n: number): Graph {
  const b = new Builder(f.inputs);
  const full = inlineNodes(b, g, b.args)[g.outputs[0]];
  const flat = ops.reshape(full, [n]);
  return simplify(b.finish([first === 0 ? flat : ops.slice(flat, [first], [n - first])]));
}

/**
 * Full Hessian of f's first output (a scalar) w.r.t. input `wrt` of shape s,
 * as a `[...s, ...s]` output. Forward over reverse: the gradient graph is
 * differentiated with a batched tangent holding `chunk` basis directions per
 * pass, not once per direction. By symmetry, the pass for directions
 * `first .. first+chunk-1` differentiates only gradient entries `first ..`
 * (the block `H[d, :first]` is the transpose of blocks found by earlier
 * passes), so later directions never touch the backward work of earlier
 * entries. The result is exactly symmetric. Same inputs as f.
 */
export function hessian(f: Graph, options: HessianOptions): Graph {
  const wrt = checkWrt('hessian', f, options.wrt);
  const s = f.inputs[wrt].shape;
  const n = sizeOf(s);
  const g = grad(f, { wrt });
  const chunk = checkChunk('hessian', options.chunk, n, () => defaultHessianChunk(g, n));
  const b = new Builder(f.inputs);
  const x = b.args[wrt];
  const blocks: { first: number; B: number; tangent: Value }[] = [];
  const rows: Value[] = [];
  for (let first = 0; first < n; first += chunk) {
    const B = Math.min(chunk, n - first);
    const tail = gradientTail(f, g, first, n);
    const T = new Tangents(B);
    const seeds: Tangent[] = b.args.map((_, i) => (i === wrt ? basisSeed(x, first, B) : null));
    const { values, tangents } = jvpNodes(b, tail, b.args, seeds, T);
    const id = tail.outputs[0];
    // tangent[i, j] = H[first + j, first + i] = H[first + i, first + j]
    const tangent = T.denseOrZeros(tangents[id], values[id], values[id]);
    const left = blocks.map((p) => ops.slice(p.tangent, [0, first - p.first], [p.B, B]));
    rows.push(
      left.length === 0
        ? tangent
        : ops.concat([ops.transpose(ops.concat(left, 0), [1, 0]), tangent], 1),
    );
    blocks.push({ first, B, tangent });
  }
  return simplify(b.finish([ops.reshape(ops.concat(rows, 0), [...s, ...s])]));
}

/** Options of {@link jacobian}. */
export interface JacobianOptions extends SingleWrtOptions {
  /** Directions per batched pass (default: all at once). Smaller bounds memory. */
  readonly chunk?: number;
}

/**
 * Jacobian of every output of f w.r.t. input `wrt` (shape s), by batched
 * forward mode over the input basis: output k has shape `[...outShape_k, ...s]`.
 */
export function jacobian(f: Graph, options: JacobianOptions): Graph {
  const wrt = checkWrt('jacobian', f, options.wrt);
  const s = f.inputs[wrt].shape;
  const n = sizeOf(s);
  const chunk = checkChunk('jacobian', options.chunk, n, () => n);
  const b = new Builder(f.inputs);
  const rows = basisJvp(b, f, f.inputs.length, wrt, chunk);
  const outs = rows.map((r) => {
    const rank = r.shape.length;
    const moved = ops.transpose(r, [...Array.from({ length: rank - 1 }, (_, i) => i + 1), 0]);
    return ops.reshape(moved, [...r.shape.slice(1), ...s]);
  });
  return simplify(b.finish(outs));
}
