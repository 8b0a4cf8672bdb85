/**
 * Second order and Jacobians: `hvp`, `hessian` (forward-over-reverse with a
 * batched tangent: one pass for all directions) and `jacobian` (forward mode
 * over the input basis, batched).
 */
import { referenceBackend, sizeOf, type Backend, type BackendHints } from '@sublora/tensor';
import { isGraphExecutor } from '../evaluate';
import { Builder, type Value } from '../ir/builder';
import { inlineNodes } from '../ir/trace';
import { GraphError, type Graph } from '../ir/types';
import * as ops from '../ops';
import { dce } from '../passes/dce';
import { foldDoublings } from '../passes/doublings';
import { simplify } from '../passes/simplify';
import type { Tangent } from '../primitives/types';
import { jvpNodes, type JvpOverride } from './jvp';
import { DiagTangent } from './diag-tangent';
import { Tangents } from './tangents';
import { grad, gradNodes } from './vjp';
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

/**
 * Whether adjoint cuts ({@link HessianOptions.adjointCuts}) pay on `backend`,
 * as the backend declares (`hints.compilesWholeGraphs`): yes on backends that
 * run kernel by kernel (reference, tfjs), whose matmuls they save; no on one
 * that compiles whole graphs (onnxruntime), where the bigger cut graph
 * compiles slower for the same run time. A backend without hints is judged
 * by whether it takes whole graphs (`executeGraph`). Pass it as
 * `adjointCuts` when the backend is known before the Hessian graph is built.
 */
export function adjointCutsPay(backend: Backend): boolean {
  return !(backend.hints?.compilesWholeGraphs ?? isGraphExecutor(backend));
}

/** Options of {@link hessian}. */
export interface HessianOptions extends SingleWrtOptions {
  /**
   * Directions per batched pass. Default: {@link defaultHessianChunk}, the
   * largest count whose biggest batched tangent stays within 4 MiB.
   */
  readonly chunk?: number;
  /**
   * Replace the batched backward products through weights that do not depend
   * on the differentiated input by Gram products with forward tangents (see
   * {@link hessian}). Default true; false gives plain forward-over-reverse,
   * for checking and benchmarking.
   */
  readonly adjointCuts?: boolean;
  /**
   * The cost hints of the backend the graph will run on (`backend.hints`);
   * `gramReadFlops` decides which products are cut. Default: the reference
   * backend's.
   */
  readonly hints?: BackendHints;
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
 * The entries `first ..` of the (flattened) gradient `g` of f as a graph with
 * f's inputs. Folding pushes the slice into the gradient's assembly (a sum of
 * zero-padded pieces per use of the input), so DCE drops the backward work
 * that only earlier entries needed, e.g. the earlier adapted layers.
 */
function gradientTail(f: Graph, g: Graph, first: number, n: number): Graph {
  const b = new Builder(f.inputs);
  const full = inlineNodes(b, g, b.args)[g.outputs[0]];
  const flat = ops.reshape(full, [n]);
  return simplify(b.finish([first === 0 ? flat : ops.slice(flat, [first], [n - first])]));
}

/** Basis directions `first .. first+B-1` of the differentiated input, one batched pass. */
interface Chunk {
  readonly first: number;
  readonly B: number;
}

/**
 * Forward tangents of the products that `adjointOf` marks, per chunk of
 * directions (dense `[B_c, size(m)]`, or null where the chunk's directions do
 * not reach the product), keyed by product value id and chunk. A missing one
 * is built by forward mode over just the forward subgraph that produces the
 * product. `hessian` builds its passes from the last chunk to the first, so
 * a pass only asks for its own chunk's tangents (the same nodes as its own
 * forward mode: the builder hash-conses) and for those of passes built, and
 * evaluated, before it: nothing is computed twice or early, and only the
 * Gram products keep a forward tangent alive past its own pass.
 */
class MarkedProductTangents {
  private readonly cache = new Map<string, Value | null>();

  constructor(
    private readonly b: Builder,
    private readonly chunks: readonly Chunk[],
    private readonly seeds: (c: Chunk) => Tangent[],
  ) {}

  /** For every product marked in `tail`, by product value id: its tangents for chunks `from ..`. */
  of(tail: Graph, from: number): Map<number, (Value | null)[]> {
    const result = new Map<number, (Value | null)[]>();
    const ids = [
      ...new Set(tail.nodes.filter((n) => n.op === 'adjointOf').map((n) => n.inputs[1])),
    ];
    if (ids.length === 0) return result;
    const forward = dce({ inputs: tail.inputs, nodes: tail.nodes, outputs: ids });
    const inlined = inlineNodes(this.b, forward, this.b.args);
    const products = forward.outputs.map((id) => inlined[id]);
    for (let q = from; q < this.chunks.length; q++) {
      if (products.every((p) => this.cache.has(`${p.id}:${q}`))) continue;
      const c = this.chunks[q];
      const T = new Tangents(c.B);
      const { tangents } = jvpNodes(this.b, forward, this.b.args, this.seeds(c), T);
      products.forEach((p, k) => {
        const t = T.dense(tangents[forward.outputs[k]]);
        const key = `${p.id}:${q}`;
        if (!this.cache.has(key))
          this.cache.set(key, t && ops.reshape(t, [c.B, sizeOf(t.shape) / c.B]));
      });
    }
    for (const p of products)
      result.set(
        p.id,
        this.chunks.slice(from).map((_, q) => this.cache.get(`${p.id}:${from + q}`) ?? null),
      );
    return result;
  }
}

/**
 * Whether a pass of `B` directions should cut a marked product: dropping the
 * backward product saves `2 B K` flops per element of the product (K its
 * contracted length; the batched work below it is not counted); the Gram
 * products read, per element, the cotangent's tangent once for each later
 * chunk that reaches the product and that chunk's forward tangent. A read
 * costs `gramReadFlops` flops (`BackendHints.gramReadFlops`): Gram products
 * stream long operands once and are memory-bound.
 */
function cutPays(
  B: number,
  contraction: number,
  reached: readonly number[],
  gramReadFlops: number,
): boolean {
  const reads = reached.reduce((sum, Bc) => sum + B + Bc, 0);
  return gramReadFlops * reads < 2 * B * contraction;
}

/**
 * Assembles the Hessian from the passes' rows `rows[a]` (`[B_a, n - first_a]`,
 * the columns from the pass's own first direction on) without a slice per
 * pair of passes: the rows, zero-padded on the left, form a block upper
 * triangle `M`; the result takes `M` above the diagonal blocks, `M^T` below
 * them and `(M + M^T) / 2` in them, so it is exactly symmetric.
 */
function mirrorBlockTriangle(rows: readonly Value[], chunks: readonly Chunk[], n: number): Value {
  const padded = rows.map((r, a) =>
    chunks[a].first === 0 ? r : ops.concat([ops.full(r, 0, [chunks[a].B, chunks[a].first]), r], 1),
  );
  const M = padded.length === 1 ? padded[0] : ops.concat(padded, 0);
  const Mt = ops.transpose(M, [1, 0]);
  const sym = ops.mul(ops.add(M, Mt), 0.5);
  if (chunks.length === 1) return sym;
  const chunkOf: number[] = [];
  chunks.forEach((c, q) => chunkOf.push(...new Array<number>(c.B).fill(q)));
  const mask = (keep: (qi: number, qj: number) => boolean) => {
    const data = new Array<number>(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) data[i * n + j] = keep(chunkOf[i], chunkOf[j]) ? 1 : 0;
    return M.builder.emit('constant', [], { data, shape: [n, n], dtype: M.dtype });
  };
  return ops.where(
    mask((qi, qj) => qj > qi),
    M,
    ops.where(
      mask((qi, qj) => qj < qi),
      Mt,
      sym,
    ),
  );
}

/**
 * Full Hessian of f's first output (a scalar) w.r.t. input `wrt` of shape s,
 * as a `[...s, ...s]` output. Same inputs as f.
 *
 * Forward over reverse: the gradient graph is differentiated with a batched
 * tangent holding `chunk` basis directions per pass, not once per direction.
 *
 * Symmetry: the pass for directions `first .. first+chunk-1` differentiates
 * only gradient entries `first ..`; the block `H[d, :first]` is the transpose
 * of blocks earlier passes found, so later directions never touch the
 * backward work of earlier entries (`mirrorBlockTriangle` assembles the
 * rows; diagonal blocks are symmetrized, so the result is exactly symmetric).
 *
 * Adjoint cuts: where reverse mode multiplies the cotangent `ct` of a
 * product `m = A W` by a weight `W` that does not depend on the input, its
 * contribution to the gradient is `J_m^T ct` (`J_m` the Jacobian of `m`), so
 * the tangent of that contribution in direction i is, entry j, the inner
 * product of the forward tangent `dm_j` with `d(ct)_i`. The pass drops the
 * batched backward product `d(ct) W^T` (and the backward work below it) and
 * adds that `[B, directions]` Gram product instead, where the Gram products
 * (memory-bound: they stream the forward tangents) cost less than the
 * product they replace (`cutPays`). For a LoRA-SVD layer
 * followed by another adapted layer this removes the `w x w` backward matmul
 * of every direction of the first layer; the forward tangents it needs are
 * the ones forward mode computes anyway.
 */
export function hessian(f: Graph, options: HessianOptions): Graph {
  const wrt = checkWrt('hessian', f, options.wrt);
  const s = f.inputs[wrt].shape;
  const n = sizeOf(s);
  if (f.nodes.some((node) => node.op === 'adjointOf'))
    throw new GraphError(
      'hessian',
      "the graph holds an 'adjointOf' node, a mark internal to hessian; build the graph without it",
    );
  const cuts = options.adjointCuts ?? true;
  const { gramReadFlops } = options.hints ?? referenceBackend.hints;
  if (!(gramReadFlops > 0))
    throw new GraphError(
      'hessian',
      `hints.gramReadFlops ${String(gramReadFlops)} must be a positive number`,
    );
  const gb = new Builder(f.inputs);
  const g = simplify(gb.finish(gradNodes(gb, f, gb.args, [wrt], { markAdjoints: cuts }).grads));
  const chunk = checkChunk('hessian', options.chunk, n, () => defaultHessianChunk(g, n));
  const b = new Builder(f.inputs);
  const x = b.args[wrt];
  const chunks: Chunk[] = [];
  for (let first = 0; first < n; first += chunk)
    chunks.push({ first, B: Math.min(chunk, n - first) });
  const seeds = (c: Chunk): Tangent[] =>
    b.args.map((_, i) => (i === wrt ? basisSeed(x, c.first, c.B) : null));
  const marked = new MarkedProductTangents(b, chunks, seeds);
  const rows: Value[] = new Array<Value>(chunks.length);
  // Last chunk first: see MarkedProductTangents.
  for (let a = chunks.length - 1; a >= 0; a--) {
    const c = chunks[a];
    const { first, B } = c;
    const tail = gradientTail(f, g, first, n);
    const T = new Tangents(B);
    const forward = marked.of(tail, a);
    // grams[q]: the Gram block for the directions of chunk a + q, summed over the cut marks
    const grams: (Value | null)[] = chunks.slice(a).map(() => null);
    const override: JvpOverride = (node, [ct, product], [dct]) => {
      if (node.op !== 'adjointOf') return undefined;
      const js = forward.get(product.id);
      const reached = js?.flatMap((j, q) => (j ? [chunks[a + q].B] : []));
      if (!js || !reached || !cutPays(B, node.params.contraction as number, reached, gramReadFlops))
        return { value: ct, tangent: dct };
      const d = T.dense(dct);
      if (d) {
        const flat = ops.reshape(d, [B, sizeOf(product.shape)]);
        js.forEach((j, q) => {
          if (!j) return;
          const block = ops.matmul(flat, j, { transposeB: true });
          const prev = grams[q];
          grams[q] = prev ? ops.add(prev, block) : block;
        });
      }
      return { value: ct, tangent: null };
    };
    const { values, tangents } = jvpNodes(b, tail, b.args, seeds(c), T, override);
    const id = tail.outputs[0];
    // tangent[i, j] = H[first + i, first + j]
    const tangent = T.denseOrZeros(tangents[id], values[id], values[id]);
    if (grams.every((q) => q === null)) rows[a] = tangent;
    else {
      const cross = grams.map((q, i) => q ?? ops.full(x, 0, [B, chunks[a + i].B]));
      rows[a] = ops.add(tangent, ops.concat(cross, 1));
    }
  }
  // last, after simplify: folding doublings is exact, later reassociation would not be
  return foldDoublings(
    simplify(b.finish([ops.reshape(mirrorBlockTriangle(rows, chunks, n), [...s, ...s])])),
  );
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
