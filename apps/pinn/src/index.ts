/**
 * `@sublora/pinn` as a library: the PDEs, sampling, configuration,
 * checkpoints, training stages and reports behind the `sublora-pinn` command.
 */
export {
  type Lambda,
  type RadialProfile,
  spatialProfile,
  PDE_NAMES,
  type PdeName,
  type InitialCondition,
  type PdeInstance,
  type PdeDefinition,
  PDES,
} from './pdes';
export {
  type Points,
  type PointCounts,
  type Collocation,
  sampleCollocation,
  evaluationGrid,
  exactOn,
  relativeL2Error,
} from './geometry';
export {
  ADAPTER_NAMES,
  type AdapterName,
  type LearningRate,
  SCHEDULE_NAMES,
  type PinnConfig,
  type ConfigOverrides,
  PRESETS,
  CONFIG_KEYS,
  totalRank,
  budgetCount,
  resolveConfig,
  resolveConfigE,
  type ConfigProblem,
  type ConfigProblems,
  configError,
  parseOverride,
} from './config';
export {
  type NamedTensor,
  type CheckpointMeta,
  type Checkpoint,
  type CheckpointExpectation,
  saveCheckpoint,
  hasCheckpoint,
  loadCheckpoint,
} from './checkpoint';
export {
  type NetworkSpec,
  type LossWeights,
  type LossGraphs,
  buildLossGraphs,
  buildSigmaDerivatives,
  buildPredictor,
} from './model';
export { type PinnAdapter, ADAPTERS, adapterOf, loraShape } from './adapters';
export { type Optimizer, type OptimizerState, adam } from './optimizer';
export {
  NonFiniteLossError,
  type EpochRecord,
  type CheckpointPlan,
  type PhaseOptions,
  type PhaseResult,
  trainPhase,
} from './train';
export {
  type RunContext,
  Interrupted,
  evaluateError,
  ensurePretrained,
  ensureFinetuned,
  sigmaDerivativeGraph,
  sigmaDerivatives,
  runDetermination,
  cubicBudget,
  alternatingMethods,
  runAlternating,
} from './stages';
export {
  type PretrainResult,
  type FinetuneResult,
  type DeterminationRow,
  type DeterminationResult,
  type AlternatingPoint,
  type AlternatingResult,
  type Results,
  emptyResults,
  readResults,
  writeResults,
  lambdaKey,
} from './results';
export { buildReport, writeReport } from './report';
export {
  type ChartSpec,
  renderSvg,
  svgToPng,
  writeChart,
  errorVsBudgetSpec,
  trajectorySpec,
  allocationSpec,
} from './plots';
export { type ExportOptions, exportCheckpoint } from './export';
export { type MetricRecord, type MetricsWriter, openMetrics, readMetrics } from './metrics';
export { type Progress, type ProgressOptions, createProgress } from './progress';
export { deriveSeed, streamFor } from './seeds';
export { buildProgram, runCli, type CliIo } from './cli';
