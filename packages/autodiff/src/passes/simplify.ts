/** The standard pipeline run after every transformation. */
import type { Graph } from '../ir/types';
import { dce } from './dce';
import { factorProducts } from './factor';
import { foldConstants } from './fold';
import { sinkSlices } from './sink-slices';

/**
 * Constant folding, slice sinking, product factoring and DCE, repeated until
 * the graph stops shrinking (at most 4 rounds). Common subexpressions need no
 * pass of their own: each pass re-emits the graph through a `Builder`,
 * which hash-conses, so `cse` would rebuild the same graph. (The builder
 * keeps two equal nodes only when their long arrays collide in the content
 * hash, or params that JSON writes alike differ, e.g. strings that hash the
 * same; `cse` uses the same builder and keeps them too.)
 */
export function simplify(g: Graph): Graph {
  let cur = dce(g);
  for (let round = 0; round < 4; round++) {
    const next = dce(factorProducts(sinkSlices(foldConstants(cur))));
    const done = next.nodes.length >= cur.nodes.length;
    cur = next;
    if (done) break;
  }
  return cur;
}
