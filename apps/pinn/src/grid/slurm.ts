/**
 * Slurm executor: one `sbatch` job-array script per phase and a submit
 * script that chains them with `--dependency=afterok:<job id>` (an array
 * job's id covers all its tasks, so phase p+1 starts only when every task of
 * phase p succeeded). Each array task finds its work by `SLURM_ARRAY_TASK_ID`.
 * Slurm is the scheduler; this module only writes its input.
 */
import { InputError } from '@sublora/tensor';
import {
  DEFAULT_WORKER,
  workerCommandLine,
  type ExecutorPlan,
  type GeneratedFile,
  type WorkerResources,
  checkCommon,
  shellQuote,
} from './executor-files';
import type { TaskList } from './task-list';

/** How to run a grid on Slurm. */
export interface SlurmOptions {
  /** Job-name prefix. */
  readonly runName: string;
  /** The run directory as the compute nodes see it (shared file system; absolute). */
  readonly runDir: string;
  /** Most array tasks of a phase running at once (`%P`). */
  readonly parallel: number;
  readonly resources: WorkerResources;
  readonly partition?: string;
  readonly account?: string;
  /** Worker command before `--run DIR --phase P --threads CPUS`; default `sublora-pinn worker`. */
  readonly worker?: readonly string[];
}

function hhmmss(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:00`;
}

/** The script of phase `phase` with `count` tasks. */
function phaseScript(options: SlurmOptions, phase: number, count: number): string {
  const { runName, runDir, parallel, resources, partition, account } = options;
  const worker = options.worker ?? DEFAULT_WORKER;
  const directives = [
    `--job-name=${runName}-phase-${phase}`,
    `--array=0-${count - 1}%${Math.min(parallel, count)}`,
    `--time=${hhmmss(resources.timeMinutes)}`,
    '--ntasks=1',
    `--cpus-per-task=${resources.cpus}`,
    `--mem=${resources.memoryMiB}M`,
    ...(resources.gpus ? [`--gres=gpu:${resources.gpus}`] : []),
    ...(partition ? [`--partition=${partition}`] : []),
    ...(account ? [`--account=${account}`] : []),
    // %A: the array's job id, %a: the task index
    `--output=${runDir}/logs/phase-${phase}-%A_%a.out`,
  ];
  const command = workerCommandLine(worker, runDir, phase, resources);
  return [
    '#!/usr/bin/env bash',
    ...directives.map((d) => `#SBATCH ${d}`),
    `# Phase ${phase} of ${runName}: ${count} tasks; each finds its task by SLURM_ARRAY_TASK_ID.`,
    'set -euo pipefail',
    `exec ${command.map(shellQuote).join(' ')}`,
    '',
  ].join('\n');
}

/**
 * The Slurm files of a grid: `phase-<p>.sbatch` per phase and `submit.sh`,
 * which submits them in order and prints the job ids.
 */
export function slurmPlan(list: TaskList, options: SlurmOptions): ExecutorPlan {
  checkCommon(list, options.parallel, options.resources);
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(options.runName)) {
    throw new InputError(
      'runName',
      `${JSON.stringify(options.runName)}: use letters, digits, '.', '_' and '-' only`,
    );
  }
  if (!options.runDir.startsWith('/') || /[\s%]/.test(options.runDir)) {
    throw new InputError(
      'runDir',
      `${JSON.stringify(options.runDir)}: give an absolute path without spaces or '%' (it goes into #SBATCH --output)`,
    );
  }
  const scripts: GeneratedFile[] = list.phases.map((tasks, p) => ({
    path: `phase-${p}.sbatch`,
    content: phaseScript(options, p, tasks.length),
    executable: false,
  }));
  const submitLines = [
    '#!/usr/bin/env bash',
    `# Submits the ${list.phases.length} phases of ${options.runName} as job arrays, each after the previous one succeeded.`,
    'set -euo pipefail',
    'cd "$(dirname "$0")"',
    `mkdir -p ${shellQuote(`${options.runDir}/logs`)}`,
  ];
  list.phases.forEach((_, p) => {
    const after = p === 0 ? '' : ` --dependency=afterok:"$job${p - 1}"`;
    // --parsable prints "id" or "id;cluster"
    submitLines.push(`job${p}=$(sbatch --parsable${after} phase-${p}.sbatch)`);
    submitLines.push(`job${p}=\${job${p}%%;*}`);
    submitLines.push(`echo "phase ${p}: job $job${p}"`);
  });
  submitLines.push('');
  return {
    files: [...scripts, { path: 'submit.sh', content: submitLines.join('\n'), executable: true }],
    submit: 'bash submit.sh',
  };
}
