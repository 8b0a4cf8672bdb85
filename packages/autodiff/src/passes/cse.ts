/** Common-subexpression elimination. */
import type { Graph } from '../ir/types';
import { dce } from './dce';
import { rebuild } from './rebuild';

/**
 * Merges nodes with the same primitive, operands and params (hash-consing in
 * topological order, so chains of duplicates collapse in one sweep).
 */
export function cse(g: Graph): Graph {
  return dce(rebuild(g));
}
