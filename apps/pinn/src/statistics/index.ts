/**
 * Statistics for comparing rank-determination methods across a grid:
 * tie-aware ranks, paired tests and bootstrap intervals.
 */
export { requireFinite, averageRanks, meanRanks } from './ranks';
export { type PairedComparison, pairedComparison } from './paired-comparison';
export {
  type BootstrapInterval,
  type BootstrapOptions,
  quantileSorted,
  bootstrapMeanCi,
} from './bootstrap';
