/** Size rules that graph passes and evaluation share. */
import { sizeOf } from '@sublora/tensor';
import type { Node } from './types';

/**
 * Whether `node`'s operands together hold at most half as many elements as
 * `node` (e.g. a rank-one tangent `a[B, N, 1] * u[B, 1, w]`): for an
 * elementwise node, computing it again from its operands, whole or piece by
 * piece, reads less than storing it once and reading it back.
 */
export function hasSmallOperands(nodes: readonly Node[], node: Node): boolean {
  const read = node.inputs.reduce((sum, i) => sum + sizeOf(nodes[i].shape), 0);
  return 2 * read <= sizeOf(node.shape);
}
