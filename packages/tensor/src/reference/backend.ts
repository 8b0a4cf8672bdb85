/**
 * Glue between the {@link Backend} interface and the pure kernels: validate
 * handles, shapes and dtypes (one-line {@link TensorError}s), allocate the
 * output, call the `xxxImpl`, wrap the result in a handle.
 */
import {
  BINARY_OPS,
  COMPARE_OPS,
  UNARY_OPS,
  type BinaryOp,
  type CompareOp,
  type DType,
  type ElementwiseProgram,
  type HostArray,
  type MatmulOptions,
  type ReduceOp,
  type Shape,
  type Tensor,
  type UnaryOp,
} from '../backend';
import { TensorError } from '../errors';
import {
  assertValidShape,
  broadcastShapes,
  broadcastStrides,
  broadcastsTo,
  isFusibleOperand,
  normalizeAxes,
  normalizeAxis,
  shapeToString,
  sizeOf,
} from '../shape';
import { binaryImpl } from './kernels/binary';
import { broadcastToImpl } from './kernels/broadcast_to';
import { castImpl } from './kernels/cast';
import { compareImpl } from './kernels/compare';
import { concatImpl } from './kernels/concat';
import { elementwiseImpl } from './kernels/fused';
import { gatherImpl } from './kernels/gather';
import { matmulImpl } from './kernels/matmul';
import { reduceImpl } from './kernels/reduce';
import { scatterAddImpl } from './kernels/scatter_add';
import { sliceImpl } from './kernels/slice';
import { transposeImpl } from './kernels/transpose';
import { unaryImpl } from './kernels/unary';
import { whereImpl } from './kernels/where';
import {
  allocate,
  allocateUninitialized,
  assertDType,
  assertSameDType,
  describe,
  disposeTensor,
  isReferenceTensor,
  live,
  makeTensor,
  ReferenceTensor,
  shareTensor,
} from './tensor';

const REDUCE_OPS: readonly ReduceOp[] = ['sum', 'mean', 'max'];

function assertOp<T extends string>(kind: string, op: T, known: readonly T[]): void {
  if (!known.includes(op)) {
    throw new TensorError(kind, `unknown op '${String(op)}'; expected one of ${known.join(', ')}`);
  }
}

/** A copy of host data as a tensor; `data.length` must equal the shape's size. */
export function fromArray(data: ArrayLike<number>, shape: Shape, dtype: DType): Tensor {
  assertValidShape(shape, 'fromArray');
  assertDType(dtype, 'fromArray');
  if (data === null || typeof data !== 'object' || typeof data.length !== 'number') {
    throw new TensorError(
      'fromArray',
      `data must be an array or typed array of numbers, got ${String(data)}`,
    );
  }
  const size = sizeOf(shape);
  if (data.length !== size) {
    throw new TensorError(
      'fromArray',
      `data has ${data.length} values but shape ${shapeToString(shape)} needs ${size}`,
    );
  }
  const out = allocateUninitialized(dtype, size);
  if (ArrayBuffer.isView(data)) out.set(data as unknown as ArrayLike<number>);
  else for (let i = 0; i < size; i++) out[i] = data[i];
  return makeTensor(out, shape, dtype);
}

/** A tensor with every entry equal to `value`. */
export function fill(shape: Shape, value: number, dtype: DType): Tensor {
  assertValidShape(shape, 'fill');
  assertDType(dtype, 'fill');
  if (typeof value !== 'number')
    throw new TensorError('fill', `value must be a number, got ${String(value)}`);
  const out = allocateUninitialized(dtype, sizeOf(shape));
  out.fill(value);
  return makeTensor(out, shape, dtype);
}

/** A tensor of zeros. */
export function zeros(shape: Shape, dtype: DType): Tensor {
  assertValidShape(shape, 'zeros');
  assertDType(dtype, 'zeros');
  return makeTensor(allocate(dtype, sizeOf(shape)), shape, dtype);
}

/** Elementwise `op(x)`. */
export function unary(op: UnaryOp, x: Tensor): Tensor {
  assertOp('unary', op, UNARY_OPS);
  const t = live(x, op);
  const out = allocateUninitialized(t.dtype, t.data.length);
  unaryImpl(op, t.data, out);
  return makeTensor(out, t.shape, t.dtype);
}

/** Checks two operands of an elementwise op and returns their broadcast shape. */
function elementwiseOperands(
  op: string,
  a: Tensor,
  b: Tensor,
): [ReferenceTensor, ReferenceTensor, number[]] {
  const ta = live(a, op),
    tb = live(b, op);
  assertSameDType(ta, tb, op);
  return [ta, tb, broadcastShapes(ta.shape, tb.shape, op)];
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
): Tensor {
  const [ta, tb, shape] = elementwiseOperands(op, a, b);
  const out = allocateUninitialized(ta.dtype, sizeOf(shape));
  impl(op, ta.data, ta.shape, tb.data, tb.shape, out, shape);
  return makeTensor(out, shape, ta.dtype);
}

/** Elementwise `op(a, b)` with numpy broadcasting. */
export function binary(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  assertOp('binary', op, BINARY_OPS);
  return broadcastKernel(binaryImpl, op, a, b);
}

/** Elementwise comparison: 1 where true, 0 where false, in the inputs' dtype. */
export function compare(op: CompareOp, a: Tensor, b: Tensor): Tensor {
  assertOp('compare', op, COMPARE_OPS);
  return broadcastKernel(compareImpl, op, a, b);
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
  assertValidShape(shape, 'elementwise');
  if (operands.length === 0) throw new TensorError('elementwise', 'needs at least one operand');
  const ts = operands.map((o) => live(o, 'elementwise'));
  const dtype = ts[0].dtype;
  for (const t of ts) {
    assertSameDType(ts[0], t, 'elementwise');
    if (!isFusibleOperand(t.shape, shape)) {
      throw new TensorError(
        'elementwise',
        `operand ${shapeToString(t.shape)} does not broadcast to ${shapeToString(shape)}; each of its axes (aligned right) must equal the result's or be 1`,
      );
    }
  }
  const k = ts.length;
  if (program.steps.length === 0) throw new TensorError('elementwise', 'program has no steps');
  program.steps.forEach((step, i) => {
    const arity = (UNARY_OPS as readonly string[]).includes(step.op)
      ? 1
      : (BINARY_OPS as readonly string[]).includes(step.op)
        ? 2
        : 0;
    if (arity === 0) {
      throw new TensorError(
        'elementwise',
        `step ${i}: unknown op '${String(step.op)}'; expected one of ${[...UNARY_OPS, ...BINARY_OPS].join(', ')}`,
      );
    }
    if (
      step.args.length !== arity ||
      step.args.some((r) => !Number.isInteger(r) || r < 0 || r >= k + i)
    ) {
      throw new TensorError(
        'elementwise',
        `step ${i} (${step.op}) reads registers [${step.args.join(', ')}]; it needs ${arity} of 0..${k + i - 1}`,
      );
    }
  });
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
  const tc = live(cond, 'where');
  const [ta, tb, abShape] = elementwiseOperands('where', a, b);
  const shape = broadcastShapes(tc.shape, abShape, 'where');
  const out = allocateUninitialized(ta.dtype, sizeOf(shape));
  whereImpl(tc.data, tc.shape, ta.data, ta.shape, tb.data, tb.shape, out, shape);
  return makeTensor(out, shape, ta.dtype);
}

/** Converts to `dtype` (round to nearest for float64 to float32). */
export function cast(x: Tensor, dtype: DType): Tensor {
  const t = live(x, 'cast');
  assertDType(dtype, 'cast');
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
  assertSameDType(ta, tb, 'matmul');
  const transposeA = options.transposeA ?? false,
    transposeB = options.transposeB ?? false;
  const ra = ta.shape.length,
    rb = tb.shape.length;
  if (ra < 2 || rb < 2) {
    throw new TensorError(
      'matmul',
      `both operands need rank >= 2, got ${shapeToString(ta.shape)} x ${shapeToString(tb.shape)}; reshape a vector to [1,k] or [k,1]`,
    );
  }
  const m = transposeA ? ta.shape[ra - 1] : ta.shape[ra - 2];
  const ka = transposeA ? ta.shape[ra - 2] : ta.shape[ra - 1];
  const kb = transposeB ? tb.shape[rb - 1] : tb.shape[rb - 2];
  const n = transposeB ? tb.shape[rb - 2] : tb.shape[rb - 1];
  if (ka !== kb) {
    const flags =
      transposeA || transposeB ? ` (transposeA=${transposeA}, transposeB=${transposeB})` : '';
    throw new TensorError(
      'matmul',
      `inner dimensions differ: ${shapeToString(ta.shape)} x ${shapeToString(tb.shape)} (${ka} != ${kb})${flags}`,
    );
  }
  const aBatch = ta.shape.slice(0, ra - 2),
    bBatch = tb.shape.slice(0, rb - 2);
  let batch: number[];
  try {
    batch = broadcastShapes(aBatch, bBatch, 'matmul');
  } catch {
    throw new TensorError(
      'matmul',
      `batch dimensions do not broadcast: ${shapeToString(ta.shape)} x ${shapeToString(tb.shape)}`,
    );
  }
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
  const shape = [...batch, m, n];
  const out = allocate(ta.dtype, sizeOf(shape));
  matmulImpl(
    ta.data,
    tb.data,
    { m, n, k: ka, transposeA, transposeB, aBatchIndex, bBatchIndex },
    out,
  );
  return makeTensor(out, shape, ta.dtype);
}

/** Same data, new shape; one entry may be -1 (inferred). Shares the buffer. */
export function reshape(x: Tensor, shape: Shape): Tensor {
  const t = live(x, 'reshape');
  if (!Array.isArray(shape))
    throw new TensorError('reshape', `shape must be an array, got ${String(shape)}`);
  const inferred = shape.indexOf(-1);
  if (inferred !== shape.lastIndexOf(-1)) {
    throw new TensorError(
      'reshape',
      `${describe(t)} to ${shapeToString(shape)}: at most one dimension may be -1`,
    );
  }
  const resolved = shape.slice();
  if (inferred >= 0) {
    const known = sizeOf(shape.filter((_, i) => i !== inferred));
    if (known === 0 || t.data.length % known !== 0) {
      throw new TensorError(
        'reshape',
        `cannot infer -1 in ${shapeToString(shape)} for ${describe(t)} (${t.data.length} elements)`,
      );
    }
    resolved[inferred] = t.data.length / known;
  }
  assertValidShape(resolved, 'reshape');
  if (sizeOf(resolved) !== t.data.length) {
    throw new TensorError(
      'reshape',
      `cannot reshape ${describe(t)} (${t.data.length} elements) to ${shapeToString(shape)} (${sizeOf(resolved)} elements)`,
    );
  }
  return shareTensor(t, resolved, t.dtype);
}

/** Permutes axes: output axis i is input axis `perm[i]`; default reverses them. */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const t = live(x, 'transpose');
  const rank = t.shape.length;
  const p = perm ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const seen = new Set(p);
  if (
    p.length !== rank ||
    seen.size !== rank ||
    p.some((a) => !Number.isInteger(a) || a < 0 || a >= rank)
  ) {
    throw new TensorError(
      'transpose',
      `perm [${p.join(',')}] is not a permutation of the ${rank} axes of ${describe(t)}`,
    );
  }
  const shape = p.map((a) => t.shape[a]);
  const out = allocateUninitialized(t.dtype, t.data.length);
  transposeImpl(t.data, t.shape, p, out);
  return makeTensor(out, shape, t.dtype);
}

/** The box `[begin, begin + size)`; `size[i] = -1` means to the end of axis i. */
export function slice(x: Tensor, begin: readonly number[], size: readonly number[]): Tensor {
  const t = live(x, 'slice');
  const rank = t.shape.length;
  const context = `begin [${begin.join(',')}], size [${size.join(',')}] for ${describe(t)}`;
  if (begin.length !== rank || size.length !== rank) {
    throw new TensorError('slice', `${context}: begin and size need one entry per axis (${rank})`);
  }
  const resolved = new Array<number>(rank);
  for (let a = 0; a < rank; a++) {
    const d = t.shape[a],
      b = begin[a];
    const s = size[a] === -1 ? d - b : size[a];
    if (!Number.isInteger(b) || b < 0 || b > d || !Number.isInteger(s) || s < 0 || b + s > d) {
      throw new TensorError(
        'slice',
        `${context}: axis ${a} range [${b}, ${b + s}) is outside [0, ${d}]`,
      );
    }
    resolved[a] = s;
  }
  const out = allocateUninitialized(t.dtype, sizeOf(resolved));
  sliceImpl(t.data, t.shape, begin, resolved, out);
  return makeTensor(out, resolved, t.dtype);
}

/** Joins tensors along `axis`; all other dimensions must agree. */
export function concat(xs: readonly Tensor[], axis: number): Tensor {
  if (!Array.isArray(xs) || xs.length === 0) {
    throw new TensorError('concat', 'needs at least one tensor');
  }
  const ts = xs.map((x) => live(x, 'concat'));
  const first = ts[0];
  const rank = first.shape.length;
  if (rank === 0)
    throw new TensorError('concat', 'cannot concatenate scalars; reshape them to [1] first');
  const ax = normalizeAxis(axis, rank, 'concat');
  for (const t of ts) {
    assertSameDType(first, t, 'concat');
    const ok = t.shape.length === rank && t.shape.every((d, i) => i === ax || d === first.shape[i]);
    if (!ok) {
      throw new TensorError(
        'concat',
        `shapes differ off axis ${ax}: ${shapeToString(first.shape)} and ${shapeToString(t.shape)}`,
      );
    }
  }
  const shape = first.shape.slice();
  shape[ax] = ts.reduce((s, t) => s + t.shape[ax], 0);
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

function assertIndices(
  op: string,
  indices: readonly number[],
  limit: number,
  context: string,
): void {
  if (!Array.isArray(indices))
    throw new TensorError(op, `indices must be an array of integers (${context})`);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= limit) {
      throw new TensorError(
        op,
        `index ${String(i)} at position ${k} is outside [0, ${limit}) (${context})`,
      );
    }
  }
}

/** Selects slices `indices` along `axis`. */
export function gather(x: Tensor, indices: readonly number[], axis: number): Tensor {
  const t = live(x, 'gather');
  if (t.shape.length === 0) throw new TensorError('gather', 'cannot gather from a scalar');
  const ax = normalizeAxis(axis, t.shape.length, 'gather');
  assertIndices('gather', indices, t.shape[ax], `axis ${ax} of ${describe(t)}`);
  const shape = t.shape.slice();
  shape[ax] = indices.length;
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
  if (t.shape.length === 0) throw new TensorError('scatterAdd', 'updates cannot be a scalar');
  const ax = normalizeAxis(axis, t.shape.length, 'scatterAdd');
  if (!Number.isInteger(axisSize) || axisSize < 0) {
    throw new TensorError(
      'scatterAdd',
      `axisSize ${String(axisSize)} is not a non-negative integer`,
    );
  }
  if (!Array.isArray(indices) || indices.length !== t.shape[ax]) {
    throw new TensorError(
      'scatterAdd',
      `updates ${describe(t)} has ${t.shape[ax]} slices on axis ${ax} but ${Array.isArray(indices) ? indices.length : 'no'} indices were given`,
    );
  }
  assertIndices('scatterAdd', indices, axisSize, `axisSize ${axisSize}`);
  const shape = t.shape.slice();
  shape[ax] = axisSize;
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
  assertValidShape(shape, 'broadcastTo');
  if (!broadcastsTo(t.shape, shape)) {
    throw new TensorError(
      'broadcastTo',
      `cannot broadcast ${describe(t)} to ${shapeToString(shape)}`,
    );
  }
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
  assertOp('reduce', op, REDUCE_OPS);
  const t = live(x, op);
  const rank = t.shape.length;
  const ax = normalizeAxes(axes, rank, op);
  const reduced = new Set(ax);
  const shape = keepDims
    ? t.shape.map((d, i) => (reduced.has(i) ? 1 : d))
    : t.shape.filter((_, i) => !reduced.has(i));
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
