/** The standard pipeline run after every transformation. */
import type { Graph } from '../ir/types';
import { cse } from './cse';
import { dce } from './dce';
import { factorProducts } from './factor';
import { foldConstants } from './fold';
import { sinkSlices } from './sink-slices';

/** Constant folding, slice sinking, product factoring, CSE and DCE, repeated until the graph stops shrinking (at most 4 rounds). */
export function simplify(g: Graph): Graph {
  let cur = dce(g);
  for (let round = 0; round < 4; round++) {
    const next = cse(factorProducts(sinkSlices(foldConstants(cur))));
    const done = next.nodes.length >= cur.nodes.length;
    cur = next;
    if (done) break;
  }
  return cur;
}
