/** Validation of the `wrt` argument of transformations. */
import { GraphError, type Graph } from '../ir/types';

/** Checks that `i` names an input of `f`. */
export function checkWrt(where: string, f: Graph, i: number): number {
  if (!Number.isInteger(i) || i < 0 || i >= f.inputs.length) {
    throw new GraphError(
      where,
      `wrt ${String(i)} is not an input index; the graph has inputs ${f.inputs.map((s, k) => `${k}:${s.name}`).join(', ')}`,
    );
  }
  return i;
}

/** `wrt` as a list of distinct, valid input indices. */
export function normalizeWrt(where: string, f: Graph, wrt: number | readonly number[]): number[] {
  const list = typeof wrt === 'number' ? [wrt] : [...wrt];
  if (list.length === 0) throw new GraphError(where, 'wrt is empty; name at least one input index');
  if (new Set(list).size !== list.length)
    throw new GraphError(where, `wrt [${list.join(',')}] repeats an input`);
  return list.map((i) => checkWrt(where, f, i));
}
