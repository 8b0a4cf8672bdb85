/**
 * @sublora/rank-determination: decide which LoRA singular values to keep
 * under a rank budget, with SubLoRA (second-order model, projected Hessian,
 * greedy) and the baselines of the paper, behind one entry point.
 *
 * @packageDocumentation
 */
export {
  determineRanks,
  determineRanksE,
  determineRanksSync,
  determineRanksSyncE,
} from './determine-ranks';
export type { InputProblems } from './problems';
export type { RankInput } from './determine-ranks';
export type { RankCertificate, RankDiagnostics, RankResult } from './solve-validated';
export { modelOverflowError } from './solve-validated';
export { EXACT_MAX_NODES, EXACT_MAX_RANK, METHODS, METHOD_DESCRIPTIONS } from './methods';
export type { MethodDescription, MethodName } from './methods';
