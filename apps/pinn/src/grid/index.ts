/**
 * Experiment grids as task lists: the list itself, shards, worker indices
 * and the Slurm and Kubernetes executors.
 */
export {
  TASK_KINDS,
  type TaskKind,
  type JsonValue,
  type TaskKey,
  type Task,
  type TaskList,
  TASK_LIST_FORMAT,
  type GridDescription,
  canonicalJson,
  taskId,
  shardPath,
  buildTaskList,
  serializeTaskList,
  parseTaskListE,
  parseTaskList,
  taskAt,
  tasksById,
} from './task-list';
export {
  SHARD_FORMAT,
  type Shard,
  writeShard,
  readShard,
  isCommitted,
  type Clock,
  realClock,
  type WaitOptions,
  waitForInputs,
} from './shards';
export {
  INDEX_SOURCES,
  type IndexSource,
  type WorkerIndex,
  resolveWorkerIndex,
} from './worker-index';
export {
  type WorkerResources,
  type GeneratedFile,
  type ExecutorPlan,
  DEFAULT_WORKER,
  shellQuote,
} from './executor-files';
export { type SlurmOptions, slurmPlan } from './slurm';
export {
  type KubernetesOptions,
  kubernetesJobName,
  kubernetesPlan,
  kubernetesRunName,
} from './kubernetes';
