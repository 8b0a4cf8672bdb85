/**
 * Glue between the {@link Backend} interface and the pure kernels: validate
 * handles, shapes and dtypes (one-line {@link TensorError}s), allocate the
 * output, call the `xxxImpl`, wrap the result in a handle.
 */
import type {
  BinaryOp,
  CompareOp,
  DType,
  ElementwiseProgram,
  HostArray,
  MatmulOptions,
  ReduceOp,
  Shape,
  Tensor,
  UnaryOp,
} from '../backend';
import { OP_TABLE } from '../op-table';
import { broadcastStrides, sizeOf } from '../shape';
import { binaryImpl } from './kernels/binary';
import { broadcastToImpl } from './kernels/broadcast-to';
import { castImpl } from './kernels/cast';
import { compareImpl } from './kernels/compare';
import { concatImpl } from './kernels/concat';
import { elementwiseImpl } from './kernels/fused';
import { gatherImpl } from './kernels/gather';
import { matmulImpl } from './kernels/matmul';
import { reduceImpl } from './kernels/reduce';
import { scatterAddImpl } from './kernels/scatter-add';
import { sliceImpl } from './kernels/slice';
import { transposeImpl } from './kernels/transpose';
import { unaryImpl } from './kernels/unary';
import { whereImpl } from './kernels/where';
import {
  allocate,
  allocateUninitialized,
  disposeTensor,
  isReferenceTensor,
  live,
  makeTensor,
  recycleBuffer,
  ReferenceTensor,
  shareTensor,
} from './tensor';

/** A copy of host data as a tensor; `data.length` must equal the shape's size. */
export function fromArray(data: ArrayLike<number>, shape: Shape, dtype: DType): Tensor {
  OP_TABLE.fromArray.infer([], { data, shape, dtype });
  const size = sizeOf(shape);
  const out = allocateUninitialized(dtype, size);
  if (ArrayBuffer.isView(data)) out.set(data as unknown as ArrayLike<number>);
  else for (let i = 0; i < size; i++) out[i] = data[i];
  return makeTensor(out, shape, dtype);
}

/** A tensor with every entry equal to `value`. */
export function fill(shape: Shape, value: number, dtype: DType): Tensor {
  OP_TABLE.fill.infer([], { shape, value, dtype });
  const out = allocateUninitialized(dtype, sizeOf(shape));
  out.fill(value);
  return makeTensor(out, shape, dtype);
}

/** A tensor of zeros. */
export function zeros(shape: Shape, dtype: DType): Tensor {
  OP_TABLE.zeros.infer([], { shape, dtype });
  return makeTensor(allocate(dtype, sizeOf(shape)), shape, dtype);
}

/** Elementwise `op(x)`. */
export function unary(op: UnaryOp, x: Tensor): Tensor {
  const t = live(x, op);
  OP_TABLE.unary.infer([t], { op });
  const out = allocateUninitialized(t.dtype, t.data.length);
  unaryImpl(op, t.data, out);
  return makeTensor(out, t.shape, t.dtype);
}

/** A two-operand kernel on host data, as `binaryImpl` and `compareImpl`. */
type BroadcastKernel<Op> = (
  op: Op,
  a: HostArray,
  aShape: Shape,
  b: HostArray,
  bShape: Shape,
  out: HostArray,
  outShape: Shape,
) => void;

/** Runs `impl` on checked operands into a new tensor of their broadcast shape and dtype. */
function broadcastKernel<Op extends string>(
  impl: BroadcastKernel<Op>,
  op: Op,
  a: Tensor,
  b: Tensor,
  infer: (ts: readonly ReferenceTensor[]) => { shape: number[] },
): Tensor {
  const ta = live(a, op),
    tb = live(b, op);
  const { shape } = infer([ta, tb]);
  const out = allocateUninitialized(ta.dtype, sizeOf(shape));
  impl(op, ta.data, ta.shape, tb.data, tb.shape, out, shape);
  return makeTensor(out, shape, ta.dtype);
}

/** Elementwise `op(a, b)` with numpy broadcasting. */
export function binary(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  return broadcastKernel(binaryImpl, op, a, b, (ts) => OP_TABLE.binary.infer(ts, { op }));
}

/** Elementwise comparison: 1 where true, 0 where false, in the inputs' dtype. */
export function compare(op: CompareOp, a: Tensor, b: Tensor): Tensor {
  return broadcastKernel(compareImpl, op, a, b, (ts) => OP_TABLE.compare.infer(ts, { op }));
}

/**
 * A fused chain of elementwise ops (`Backend.elementwise`): one generated loop
 * per program, bit-identical to running its steps as separate kernels.
 */
export function elementwise(
  program: ElementwiseProgram,
  operands: readonly Tensor[],
  shape: Shape,
): Tensor {
  const ts = operands.map((o) => live(o, 'elementwise'));
  const { dtype } = OP_TABLE.elementwise.infer(ts, { program, shape });
  const out = allocateUninitialized(dtype, sizeOf(shape));
  // leading ones beyond the result's rank carry no data: [1, 1] broadcasts into [3]
  const shapes = ts.map((t) => t.shape.slice(Math.max(0, t.shape.length - shape.length)));
  elementwiseImpl(
    program,
    ts.map((t) => t.data),
    shapes,
    shape,
    out,
  );
  return makeTensor(out, shape, dtype);
}

/** `cond ? a : b` with three-way broadcasting; `cond` may have either dtype. */
export function where(cond: Tensor, a: Tensor, b: Tensor): Tensor {
  const tc = live(cond, 'where'),
    ta = live(a, 'where'),
    tb = live(b, 'where');
  const { shape } = OP_TABLE.where.infer([tc, ta, tb], {});
  const out = allocateUninitialized(ta.dtype, sizeOf(shape));
  whereImpl(tc.data, tc.shape, ta.data, ta.shape, tb.data, tb.shape, out, shape);
  return makeTensor(out, shape, ta.dtype);
}

/** Converts to `dtype` (round to nearest for float64 to float32). */
export function cast(x: Tensor, dtype: DType): Tensor {
  const t = live(x, 'cast');
  OP_TABLE.cast.infer([t], { dtype });
  // Data is never written after creation, so a same-dtype cast can share it.
  if (dtype === t.dtype) return shareTensor(t, t.shape, dtype);
  const out = allocateUninitialized(dtype, t.data.length);
  castImpl(t.data, out);
  return makeTensor(out, t.shape, dtype);
}

/** Batched matrix product `[..., m, k] x [..., k, n] -> [..., m, n]`, batch dims broadcast. */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  const ta = live(a, 'matmul'),
    tb = live(b, 'matmul');
  const { shape, batch, m, k, n } = OP_TABLE.matmul.infer([ta, tb], options);
  const transposeA = options.transposeA ?? false,
    transposeB = options.transposeB ?? false;
  const aBatch = ta.shape.slice(0, -2),
    bBatch = tb.shape.slice(0, -2);
  const batches = sizeOf(batch);
  const aStrides = broadcastStrides(aBatch, batch),
    bStrides = broadcastStrides(bBatch, batch);
  const aBatchIndex = new Array<number>(batches),
    bBatchIndex = new Array<number>(batches);
  for (let t = 0; t < batches; t++) {
    let rest = t,
      ia = 0,
      ib = 0;
    for (let axis = batch.length - 1; axis >= 0; axis--) {
      const i = rest % batch[axis];
      rest = (rest - i) / batch[axis];
      ia += i * aStrides[axis];
      ib += i * bStrides[axis];
    }
    aBatchIndex[t] = ia;
    bBatchIndex[t] = ib;
  }
  const size = sizeOf(shape);
  const out = allocate(ta.dtype, size);
  // float32 sums in float64: a pooled accumulator, not a fresh array per call
  const accumulator =
    ta.dtype === 'float32' ? (allocate('float64', size) as Float64Array) : undefined;
  const geometry = { m, n, k, transposeA, transposeB, aBatchIndex, bBatchIndex };
  try {
    matmulImpl(ta.data, tb.data, geometry, out, accumulator);
  } finally {
    if (accumulator) recycleBuffer(accumulator);
  }
  return makeTensor(out, shape, ta.dtype);
}

/** Same data, new shape; one entry may be -1 (inferred). Shares the buffer. */
export function reshape(x: Tensor, shape: Shape): Tensor {
  const t = live(x, 'reshape');
  return shareTensor(t, OP_TABLE.reshape.infer([t], { shape }).shape, t.dtype);
}

/** Permutes axes: output axis i is input axis `perm[i]`; default reverses them. */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const t = live(x, 'transpose');
  const { shape, perm: p } = OP_TABLE.transpose.infer([t], { perm });
  const out = allocateUninitialized(t.dtype, t.data.length);
  transposeImpl(t.data, t.shape, p, out);
  return makeTensor(out, shape, t.dtype);
}

/** The box `[begin, begin + size)`; `size[i] = -1` means to the end of axis i. */
export function slice(x: Tensor, begin: readonly number[], size: readonly number[]): Tensor {
  const t = live(x, 'slice');
  const resolved = OP_TABLE.slice.infer([t], { begin, size }).shape;
  const out = allocateUninitialized(t.dtype, sizeOf(resolved));
  sliceImpl(t.data, t.shape, begin, resolved, out);
  return makeTensor(out, resolved, t.dtype);
}

/** Joins tensors along `axis`; all other dimensions must agree. */
export function concat(xs: readonly Tensor[], axis: number): Tensor {
  if (!Array.isArray(xs) || xs.length === 0) OP_TABLE.concat.infer([], { axis });
  const ts = xs.map((x) => live(x, 'concat'));
  const first = ts[0];
  const { shape, axis: ax } = OP_TABLE.concat.infer(ts, { axis });
  const outer = sizeOf(first.shape.slice(0, ax));
  const inner = sizeOf(first.shape.slice(ax + 1));
  const out = allocateUninitialized(first.dtype, sizeOf(shape));
  concatImpl(
    ts.map((t) => t.data),
    ts.map((t) => t.shape[ax] * inner),
    outer,
    out,
  );
  return makeTensor(out, shape, first.dtype);
}

/** Selects slices `indices` along `axis`. */
export function gather(x: Tensor, indices: readonly number[], axis: number): Tensor {
  const t = live(x, 'gather');
  const { shape, axis: ax } = OP_TABLE.gather.infer([t], { indices, axis });
  const out = allocateUninitialized(t.dtype, sizeOf(shape));
  gatherImpl(
    t.data,
    sizeOf(t.shape.slice(0, ax)),
    t.shape[ax],
    sizeOf(t.shape.slice(ax + 1)),
    indices,
    out,
  );
  return makeTensor(out, shape, t.dtype);
}

/** Transpose of gather: zeros of length `axisSize` along `axis`, slice k of `updates` added at `indices[k]`. */
export function scatterAdd(
  updates: Tensor,
  indices: readonly number[],
  axis: number,
  axisSize: number,
): Tensor {
  const t = live(updates, 'scatterAdd');
  const { shape, axis: ax } = OP_TABLE.scatterAdd.infer([t], { indices, axis, axisSize });
  const out = allocate(t.dtype, sizeOf(shape));
  scatterAddImpl(
    t.data,
    sizeOf(t.shape.slice(0, ax)),
    axisSize,
    sizeOf(t.shape.slice(ax + 1)),
    indices,
    out,
  );
  return makeTensor(out, shape, t.dtype);
}

/** Materializes `x` broadcast to `shape`. */
export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  const t = live(x, 'broadcastTo');
  OP_TABLE.broadcastTo.infer([t], { shape });
  const out = allocateUninitialized(t.dtype, sizeOf(shape));
  broadcastToImpl(t.data, t.shape, out, shape);
  return makeTensor(out, shape, t.dtype);
}

/** Reduces over `axes` (all when undefined); `keepDims` keeps them with length 1. */
export function reduce(
  op: ReduceOp,
  x: Tensor,
  axes?: readonly number[],
  keepDims = false,
): Tensor {
  const t = live(x, op);
  const { shape, axes: ax } = OP_TABLE.reduce.infer([t], { op, axes, keepDims });
  const out = allocate(t.dtype, sizeOf(shape));
  reduceImpl(op, t.data, t.shape, ax, out);
  return makeTensor(out, shape, t.dtype);
}

/** A row-major copy of the data, synchronously. */
export function readSync(x: Tensor): HostArray {
  return live(x, 'read').data.slice();
}

/** A row-major copy of the data (resolved immediately: the reference backend computes eagerly). */
export function read(x: Tensor): Promise<HostArray> {
  try {
    return Promise.resolve(readSync(x));
  } catch (e) {
    return Promise.reject(e);
  }
}

/** Marks the handle disposed; later use throws. Idempotent. */
export function dispose(x: Tensor): void {
  if (isReferenceTensor(x)) {
    disposeTensor(x);
    return;
  }
  live(x, 'dispose');
}
