/**
 * Error cases: for every op, inputs it must reject. A case passes when the
 * backend under test throws the same error class (`name`) with the same
 * one-line message as the reference backend in the same dtype: both take
 * their checks from `@sublora/tensor`'s `OP_TABLE`, so any drift (a backend
 * checking by hand, or passing bad input on to its engine) shows up here.
 */
import type { Backend, DType, Tensor } from '@sublora/tensor';

/** One rejected call. */
export interface ErrorCase {
  readonly name: string;
  /** The Backend method it exercises. */
  readonly op: string;
  /** Shapes of the inputs, uploaded with `fromArray` (values 0, 1, 2, ...) in the tested dtype. */
  readonly inputs: readonly (readonly number[])[];
  /** Dtypes the backend must compute in for the case to apply (default: the tested one). */
  readonly needs?: readonly DType[];
  /** The call that must throw. */
  call(backend: Backend, xs: readonly Tensor[], dtype: DType): unknown;
}

const other = (dtype: DType): DType => (dtype === 'float64' ? 'float32' : 'float64');

/**
 * Every op's rejected inputs (at least one per Backend method that checks
 * anything). A case for an optional method (`elementwise`) is skipped on a
 * backend without it.
 */
export const ERROR_CASES: readonly ErrorCase[] = [
  {
    name: 'fromArray: data length',
    op: 'fromArray',
    inputs: [],
    call: (be, _, d) => be.fromArray([1, 2, 3], [2, 2], d),
  },
  {
    name: 'fill: negative dim',
    op: 'fill',
    inputs: [],
    call: (be, _, d) => be.fill([2, -1], 0, d),
  },
  {
    name: 'zeros: fractional dim',
    op: 'zeros',
    inputs: [],
    call: (be, _, d) => be.zeros([2.5], d),
  },
  {
    name: 'unary: unknown op',
    op: 'unary',
    inputs: [[3]],
    call: (be, [x]) => be.unary('erf' as never, x),
  },
  {
    name: 'binary: no broadcast',
    op: 'binary',
    inputs: [[2, 3], [2]],
    call: (be, [a, b]) => be.binary('add', a, b),
  },
  {
    name: 'binary: unknown op',
    op: 'binary',
    inputs: [[2], [2]],
    call: (be, [a, b]) => be.binary('mod' as never, a, b),
  },
  {
    name: 'binary: mixed dtypes',
    op: 'binary',
    inputs: [[2]],
    needs: ['float64', 'float32'],
    call: (be, [a], d) => be.binary('mul', a, be.zeros([2], other(d))),
  },
  {
    name: 'compare: no broadcast',
    op: 'compare',
    inputs: [[3], [4]],
    call: (be, [a, b]) => be.compare('less', a, b),
  },
  {
    name: 'where: no broadcast',
    op: 'where',
    inputs: [[2], [3], [3]],
    call: (be, [c, a, b]) => be.where(c, a, b),
  },
  {
    name: 'cast: unknown dtype',
    op: 'cast',
    inputs: [[2]],
    call: (be, [x]) => be.cast(x, 'int8' as never),
  },
  {
    name: 'matmul: inner dims',
    op: 'matmul',
    inputs: [
      [3, 4],
      [5, 2],
    ],
    call: (be, [a, b]) => be.matmul(a, b),
  },
  {
    name: 'matmul: inner dims, transposed',
    op: 'matmul',
    inputs: [
      [3, 4],
      [3, 2],
    ],
    call: (be, [a, b]) => be.matmul(a, b, { transposeB: true }),
  },
  {
    name: 'matmul: rank 1',
    op: 'matmul',
    inputs: [[3], [3, 2]],
    call: (be, [a, b]) => be.matmul(a, b),
  },
  {
    name: 'matmul: batch dims',
    op: 'matmul',
    inputs: [
      [2, 3, 4],
      [3, 4, 5],
    ],
    call: (be, [a, b]) => be.matmul(a, b),
  },
  {
    name: 'reshape: element count',
    op: 'reshape',
    inputs: [[2, 3]],
    call: (be, [x]) => be.reshape(x, [4]),
  },
  {
    name: 'reshape: -1 not inferable',
    op: 'reshape',
    inputs: [[2, 3]],
    call: (be, [x]) => be.reshape(x, [4, -1]),
  },
  {
    name: 'reshape: two -1',
    op: 'reshape',
    inputs: [[2, 3]],
    call: (be, [x]) => be.reshape(x, [-1, -1]),
  },
  {
    name: 'transpose: not a permutation',
    op: 'transpose',
    inputs: [[2, 3]],
    call: (be, [x]) => be.transpose(x, [0, 0]),
  },
  {
    name: 'slice: out of range',
    op: 'slice',
    inputs: [[2, 3]],
    call: (be, [x]) => be.slice(x, [1, 2], [1, 2]),
  },
  {
    name: 'slice: wrong rank',
    op: 'slice',
    inputs: [[2, 3]],
    call: (be, [x]) => be.slice(x, [0], [1]),
  },
  {
    name: 'concat: differ off axis',
    op: 'concat',
    inputs: [
      [2, 3],
      [2, 4],
    ],
    call: (be, xs) => be.concat(xs, 0),
  },
  {
    name: 'concat: scalars',
    op: 'concat',
    inputs: [[], []],
    call: (be, xs) => be.concat(xs, 0),
  },
  {
    name: 'concat: axis out of range',
    op: 'concat',
    inputs: [[2], [2]],
    call: (be, xs) => be.concat(xs, 1),
  },
  {
    name: 'gather: index out of range',
    op: 'gather',
    inputs: [[2, 3]],
    call: (be, [x]) => be.gather(x, [0, 3], 1),
  },
  {
    name: 'gather: scalar',
    op: 'gather',
    inputs: [[]],
    call: (be, [x]) => be.gather(x, [0], 0),
  },
  {
    name: 'scatterAdd: index count',
    op: 'scatterAdd',
    inputs: [[2, 3]],
    call: (be, [x]) => be.scatterAdd(x, [0, 1], 1, 2),
  },
  {
    name: 'scatterAdd: index out of range',
    op: 'scatterAdd',
    inputs: [[2, 3]],
    call: (be, [x]) => be.scatterAdd(x, [0, 1, 4], 1, 4),
  },
  {
    name: 'scatterAdd: axisSize',
    op: 'scatterAdd',
    inputs: [[2, 3]],
    call: (be, [x]) => be.scatterAdd(x, [0, 1, 0], 1, -1),
  },
  {
    name: 'broadcastTo: incompatible',
    op: 'broadcastTo',
    inputs: [[2, 3]],
    call: (be, [x]) => be.broadcastTo(x, [3, 3]),
  },
  {
    name: 'reduce: axis out of range',
    op: 'reduce',
    inputs: [[2, 3]],
    call: (be, [x]) => be.reduce('sum', x, [2]),
  },
  {
    name: 'reduce: repeated axis',
    op: 'reduce',
    inputs: [[2, 3]],
    call: (be, [x]) => be.reduce('max', x, [1, -1]),
  },
  {
    name: 'elementwise: register out of range',
    op: 'elementwise',
    inputs: [[3]],
    call: (be, xs) => be.elementwise?.({ steps: [{ op: 'add', args: [0, 1] }] }, xs, [3]),
  },
  {
    name: 'elementwise: operand does not broadcast',
    op: 'elementwise',
    inputs: [[2], [3]],
    call: (be, xs) => be.elementwise?.({ steps: [{ op: 'add', args: [0, 1] }] }, xs, [3]),
  },
  {
    name: 'reduce: unknown op',
    op: 'reduce',
    inputs: [[2, 3]],
    call: (be, [x]) => be.reduce('prod' as never, x),
  },
];
