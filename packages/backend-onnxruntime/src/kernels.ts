/**
 * Recording of every Backend kernel as a {@link LazyNode}: host-side shape
 * checks, and the ONNX lowering of each op. Nothing here runs onnxruntime.
 */
import {
  OP_TABLE,
  shapeToString as fmt,
  shapesEqual,
  sizeOf,
  type BinaryOp,
  type CompareOp,
  type DType,
  type MatmulOptions,
  type ReduceOp,
  type Shape,
  type UnaryOp,
} from '@sublora/tensor';
import { emitOp } from './dtype-table';
import { leafNode, opNode, type LazyNode } from './lazy-graph';
import { elemTypeCode } from './onnx-model';

/** Host data as a new array of `dtype`. */
function hostArray(data: ArrayLike<number>, dtype: DType): Float64Array | Float32Array {
  return dtype === 'float64' ? Float64Array.from(data) : Float32Array.from(data);
}

/** A tensor holding `data`. */
export function fromArray(data: ArrayLike<number>, shape: Shape, dtype: DType): LazyNode {
  OP_TABLE.fromArray.infer([], { data, shape, dtype });
  return leafNode(hostArray(data, dtype), [...shape], dtype);
}

/** `x` broadcast to `shape` (which must be what numpy would broadcast it to). */
export function broadcastTo(x: LazyNode, shape: Shape): LazyNode {
  OP_TABLE.broadcastTo.infer([x], { shape });
  if (shapesEqual(x.shape, shape)) return x;
  return opNode(`expand${fmt(shape)}`, [x], [...shape], x.dtype, (c, [i]) =>
    emitOp(c.builder, 'Expand', [i, c.builder.int64s(shape)], c.elem(x.dtype), {}, [0]),
  );
}

/** A tensor filled with `value`: a scalar input broadcast, so the value stays out of the structural key. */
export function fill(shape: Shape, value: number, dtype: DType): LazyNode {
  OP_TABLE.fill.infer([], { shape, value, dtype });
  return broadcastTo(leafNode(hostArray([value], dtype), [], dtype), shape);
}

const UNARY_ONNX: Record<Exclude<UnaryOp, 'square'>, string> = {
  neg: 'Neg',
  exp: 'Exp',
  log: 'Log',
  tanh: 'Tanh',
  sin: 'Sin',
  cos: 'Cos',
  sqrt: 'Sqrt',
  abs: 'Abs',
  sign: 'Sign',
  reciprocal: 'Reciprocal',
};

/** Elementwise unary op. */
export function unary(op: UnaryOp, x: LazyNode): LazyNode {
  OP_TABLE.unary.infer([x], { op });
  return opNode(`u:${op}`, [x], x.shape, x.dtype, (c, [i]) =>
    op === 'square'
      ? emitOp(c.builder, 'Mul', [i, i], c.elem(x.dtype))
      : emitOp(c.builder, UNARY_ONNX[op], [i], c.elem(x.dtype)),
  );
}

const BINARY_ONNX: Record<BinaryOp, string> = {
  add: 'Add',
  sub: 'Sub',
  mul: 'Mul',
  div: 'Div',
  pow: 'Pow',
  maximum: 'Max',
  minimum: 'Min',
};

/** Elementwise binary op with broadcasting. */
export function binary(op: BinaryOp, a: LazyNode, b: LazyNode): LazyNode {
  const { shape, dtype } = OP_TABLE.binary.infer([a, b], { op });
  return opNode(`b:${op}`, [a, b], shape, dtype, (c, ins) =>
    emitOp(c.builder, BINARY_ONNX[op], ins, c.elem(dtype)),
  );
}

const COMPARE_ONNX: Record<CompareOp, string> = {
  less: 'Less',
  lessEqual: 'LessOrEqual',
  greater: 'Greater',
  greaterEqual: 'GreaterOrEqual',
  equal: 'Equal',
};

/** Comparison with broadcasting: 1 where true, 0 where false, in the inputs' dtype. */
export function compare(op: CompareOp, a: LazyNode, b: LazyNode): LazyNode {
  const { shape, dtype } = OP_TABLE.compare.infer([a, b], { op });
  return opNode(`c:${op}`, [a, b], shape, dtype, (c, ins) => {
    const bool = emitOp(c.builder, COMPARE_ONNX[op], ins, c.elem(dtype));
    return c.builder.node('Cast', [bool], { to: elemTypeCode(c.elem(dtype)) });
  });
}

/** `cond ? a : b` with broadcasting; `cond` is nonzero for true and may have either dtype. */
export function where(cond: LazyNode, a: LazyNode, b: LazyNode): LazyNode {
  const { shape, dtype } = OP_TABLE.where.infer([cond, a, b], {});
  return opNode('where', [cond, a, b], shape, dtype, (c, [ci, ai, bi]) => {
    const bool = c.builder.node('Cast', [ci], { to: elemTypeCode('bool') });
    return emitOp(c.builder, 'Where', [bool, ai, bi], c.elem(dtype), {}, [1, 2]);
  });
}

/** `x` converted to `dtype`. */
export function cast(x: LazyNode, dtype: DType): LazyNode {
  OP_TABLE.cast.infer([x], { dtype });
  if (dtype === x.dtype) return x;
  return opNode(`cast:${dtype}`, [x], x.shape, dtype, (c, [i]) =>
    c.builder.node('Cast', [i], { to: elemTypeCode(c.elem(dtype)) }),
  );
}

/**
 * `x` with its last two axes swapped, one node per `x`: a matrix used in
 * several transposed products (a weight in every backward pass of a
 * Hessian's directions) is transposed once per run, not once per product.
 * onnxruntime's own common-subexpression pass would merge the copies, but it
 * is off for float64 graphs and big float32 ones (`optimization-level.ts`).
 */
const lastAxesSwapped = new WeakMap<LazyNode, LazyNode>();

function swapLast(x: LazyNode): LazyNode {
  const cached = lastAxesSwapped.get(x);
  if (cached) return cached;
  const rank = x.shape.length;
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  const swapped = transpose(x, perm);
  lastAxesSwapped.set(x, swapped);
  return swapped;
}

/** Batched matrix product with numpy semantics; optional transposes of the last two axes. */
export function matmul(a: LazyNode, b: LazyNode, options: MatmulOptions = {}): LazyNode {
  const { shape, dtype } = OP_TABLE.matmul.infer([a, b], options);
  const { transposeA = false, transposeB = false } = options;
  const left = transposeA ? swapLast(a) : a;
  const right = transposeB ? swapLast(b) : b;
  return opNode('matmul', [left, right], shape, dtype, (c, ins) =>
    emitOp(c.builder, 'MatMul', ins, c.elem(dtype)),
  );
}

/** `x` with a new shape of the same size (one `-1` allowed). */
export function reshape(x: LazyNode, shape: Shape): LazyNode {
  const out = OP_TABLE.reshape.infer([x], { shape }).shape;
  if (shapesEqual(out, x.shape)) return x;
  return opNode(`reshape${fmt(out)}`, [x], out, x.dtype, (c, [i]) =>
    emitOp(c.builder, 'Reshape', [i, c.builder.int64s(out)], c.elem(x.dtype), {}, [0]),
  );
}

/** Axes permuted (default: reversed). */
export function transpose(x: LazyNode, perm?: readonly number[]): LazyNode {
  const p = OP_TABLE.transpose.infer([x], { perm }).perm;
  if (p.every((v, i) => v === i)) return x;
  return opNode(
    `transpose${fmt(p)}`,
    [x],
    p.map((i) => x.shape[i]),
    x.dtype,
    (c, [i]) => emitOp(c.builder, 'Transpose', [i], c.elem(x.dtype), { perm: p }),
  );
}

/** The block starting at `begin` with extent `size` (`-1` = to the end). */
export function slice(x: LazyNode, begin: readonly number[], size: readonly number[]): LazyNode {
  const extent = OP_TABLE.slice.infer([x], { begin, size }).shape;
  if (extent.every((e, i) => e === x.shape[i])) return x;
  const ends = begin.map((b, i) => b + extent[i]);
  return opNode(`slice${fmt(begin)}${fmt(extent)}`, [x], extent, x.dtype, (c, [i]) =>
    emitOp(
      c.builder,
      'Slice',
      [
        i,
        c.builder.int64s(begin),
        c.builder.int64s(ends),
        c.builder.int64s(begin.map((_, k) => k)),
      ],
      c.elem(x.dtype),
      {},
      [0],
    ),
  );
}

/** Tensors joined along `axis`. */
export function concat(xs: readonly LazyNode[], axis: number): LazyNode {
  const { shape, dtype, axis: ax } = OP_TABLE.concat.infer(xs, { axis });
  if (xs.length === 1) return xs[0];
  return opNode(`concat:${ax}`, xs, shape, dtype, (c, ins) =>
    emitOp(c.builder, 'Concat', ins, c.elem(dtype), { axis: ax }),
  );
}

/** Slices `indices` of `axis`, in order (repeats allowed). */
export function gather(x: LazyNode, indices: readonly number[], axis: number): LazyNode {
  const { shape, axis: ax } = OP_TABLE.gather.infer([x], { indices, axis });
  return opNode(`gather:${ax}:${indices.join(',')}`, [x], shape, x.dtype, (c, [i]) =>
    emitOp(c.builder, 'Gather', [i, c.builder.int64s(indices)], c.elem(x.dtype), { axis: ax }, [0]),
  );
}

/** Up to this many repeats of one index, scatterAdd uses rounds of ScatterND; beyond, a one-hot MatMul. */
const MAX_SCATTER_ROUNDS = 4;

/** Groups positions so that no group repeats an index (round r holds the r-th occurrence of each index). */
function scatterRounds(indices: readonly number[]): number[][] {
  const seen = new Map<number, number>();
  const rounds: number[][] = [];
  indices.forEach((idx, k) => {
    const r = seen.get(idx) ?? 0;
    seen.set(idx, r + 1);
    (rounds[r] ??= []).push(k);
  });
  return rounds;
}

/**
 * The transpose of gather: zeros of length `axisSize` on `axis`, with slice `k`
 * of `updates` added at `indices[k]`. Opset 13 has no additive scatter, so
 * repeated indices are summed in rounds of ScatterND (each round's indices
 * are distinct) or, when an index repeats more than {@link MAX_SCATTER_ROUNDS}
 * times, by a MatMul with a one-hot matrix.
 */
export function scatterAdd(
  updates: LazyNode,
  indices: readonly number[],
  axis: number,
  axisSize: number,
): LazyNode {
  const rank = updates.shape.length;
  const { shape, axis: ax } = OP_TABLE.scatterAdd.infer([updates], { indices, axis, axisSize });
  const dtype = updates.dtype;
  const rest = updates.shape.filter((_, i) => i !== ax);
  const toFront = [ax, ...Array.from({ length: rank }, (_, i) => i).filter((i) => i !== ax)];
  const fromFront = toFront.map((_, i) => toFront.indexOf(i));
  return opNode(
    `scatterAdd:${ax}:${axisSize}:${indices.join(',')}`,
    [updates],
    shape,
    dtype,
    (c, [u]) => {
      const b = c.builder;
      const elem = c.elem(dtype);
      const front = ax === 0 ? u : emitOp(b, 'Transpose', [u], elem, { perm: toFront });
      const rounds = scatterRounds(indices);
      let summed: string;
      if (rounds.length <= MAX_SCATTER_ROUNDS) {
        const zeros = emitOp(
          b,
          'Expand',
          [b.initializer(elem, [], [0]), b.int64s([axisSize, ...rest])],
          elem,
          {},
          [0],
        );
        const parts = rounds.map((ks) => {
          const picked =
            ks.length === indices.length
              ? front
              : emitOp(b, 'Gather', [front, b.int64s(ks)], elem, { axis: 0 }, [0]);
          const at = b.initializer(
            'int64',
            [ks.length, 1],
            ks.map((k) => indices[k]),
          );
          return emitOp(b, 'ScatterND', [zeros, at, picked], elem, {}, [0, 2]);
        });
        summed = parts.reduce((acc, p) => emitOp(b, 'Add', [acc, p], elem));
      } else {
        const oneHot = new Array<number>(axisSize * indices.length).fill(0);
        indices.forEach((idx, k) => (oneHot[idx * indices.length + k] = 1));
        const flat = emitOp(
          b,
          'Reshape',
          [front, b.int64s([indices.length, sizeOf(rest)])],
          elem,
          {},
          [0],
        );
        const product = emitOp(
          b,
          'MatMul',
          [b.initializer(elem, [axisSize, indices.length], oneHot), flat],
          elem,
        );
        summed = emitOp(b, 'Reshape', [product, b.int64s([axisSize, ...rest])], elem, {}, [0]);
      }
      return ax === 0 ? summed : emitOp(b, 'Transpose', [summed], elem, { perm: fromFront });
    },
  );
}

const REDUCE_ONNX: Record<ReduceOp, string> = {
  sum: 'ReduceSum',
  mean: 'ReduceMean',
  max: 'ReduceMax',
};

/** Reduction over `axes` (default all). */
export function reduce(
  op: ReduceOp,
  x: LazyNode,
  axes?: readonly number[],
  keepDims = false,
): LazyNode {
  const { shape, axes: ax } = OP_TABLE.reduce.infer([x], { op, axes, keepDims });
  if (ax.length === 0) return x;
  const keep = keepDims ? 1 : 0;
  return opNode(`reduce:${op}:${ax.join(',')}:${keep}`, [x], shape, x.dtype, (c, [i]) =>
    // Opset 13 takes ReduceSum's axes as an input but ReduceMean/ReduceMax's as an attribute.
    op === 'sum'
      ? emitOp(
          c.builder,
          'ReduceSum',
          [i, c.builder.int64s(ax)],
          c.elem(x.dtype),
          { keepdims: keep },
          [0],
        )
      : emitOp(c.builder, REDUCE_ONNX[op], [i], c.elem(x.dtype), { axes: ax, keepdims: keep }),
  );
}
