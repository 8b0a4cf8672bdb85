/** `matmul`: `[..., m, k] x [..., k, n] -> [..., m, n]`, optional transposes, batch dims broadcast. */
import type { MatmulOptions } from '../backend';
import { TensorError } from '../errors';
import { broadcastShapes, shapeToString } from '../shape';
import { checkArity, sameDType } from './checks';
import type { OpSpec, ResultType } from './types';

/** The matmul result with the sizes a kernel needs. */
export interface MatmulResult extends ResultType {
  /** The broadcast batch dimensions. */
  readonly batch: number[];
  readonly m: number;
  readonly k: number;
  readonly n: number;
}

/** Batched matrix product (see module doc). */
export const matmulSpec: OpSpec<MatmulOptions, MatmulResult> = {
  name: 'matmul',
  operands:
    'a [..., m, k] and b [..., k, n] (last two axes swapped by transposeA/B) of one dtype, rank >= 2; batch dims broadcast',
  infer(xs, options) {
    checkArity('matmul', xs, 2);
    const dtype = sameDType('matmul', xs);
    const [a, b] = xs.map((x) => x.shape);
    const transposeA = options.transposeA ?? false,
      transposeB = options.transposeB ?? false;
    const ra = a.length,
      rb = b.length;
    if (ra < 2 || rb < 2) {
      throw new TensorError(
        'matmul',
        `both operands need rank >= 2, got ${shapeToString(a)} x ${shapeToString(b)}; reshape a vector to [1,k] or [k,1]`,
      );
    }
    const m = transposeA ? a[ra - 1] : a[ra - 2];
    const ka = transposeA ? a[ra - 2] : a[ra - 1];
    const kb = transposeB ? b[rb - 1] : b[rb - 2];
    const n = transposeB ? b[rb - 2] : b[rb - 1];
    if (ka !== kb) {
      const flags =
        transposeA || transposeB ? ` (transposeA=${transposeA}, transposeB=${transposeB})` : '';
      throw new TensorError(
        'matmul',
        `inner dimensions differ: ${shapeToString(a)} x ${shapeToString(b)} (${ka} != ${kb})${flags}`,
      );
    }
    let batch: number[];
    try {
      batch = broadcastShapes(a.slice(0, -2), b.slice(0, -2), 'matmul');
    } catch {
      throw new TensorError(
        'matmul',
        `batch dimensions do not broadcast: ${shapeToString(a)} x ${shapeToString(b)}`,
      );
    }
    return { shape: [...batch, m, n], dtype, batch, m, k: ka, n };
  },
};
