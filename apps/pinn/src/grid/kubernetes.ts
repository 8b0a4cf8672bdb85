/**
 * Kubernetes executor: one `batch/v1` Indexed Job per phase
 * (`completionMode: Indexed`, so each pod gets `JOB_COMPLETION_INDEX`), the
 * run directory on a shared PersistentVolumeClaim, and an apply script.
 * Jobs cannot depend on each other, so the script applies a phase, waits for
 * it to complete (stopping when it fails) and only then applies the next (workers also wait, bounded,
 * for their inputs). Every manifest is checked against the Kubernetes API
 * schema (`kubernetes-models`) before it is written.
 */
import { createHash } from 'node:crypto';
import { InputError } from '@sublora/tensor';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { stringify } from 'yaml';
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

/** How to run a grid on Kubernetes. */
export interface KubernetesOptions {
  /** Job-name prefix: a DNS-1123 label (lower-case letters, digits, '-'); see {@link kubernetesRunName}. */
  readonly runName: string;
  /** The run directory's name under `mountPath` (the pods' `--run`); default `runName`. */
  readonly runDirName?: string;
  /** Container image holding `sublora-pinn`. */
  readonly image: string;
  /** PersistentVolumeClaim (ReadWriteMany) that holds the run directories. */
  readonly claimName: string;
  /** Where the claim is mounted in the pods; default `/runs`. */
  readonly mountPath?: string;
  /** Pods of a phase running at once. */
  readonly parallel: number;
  readonly resources: WorkerResources;
  readonly namespace?: string;
  /** Retries per Job before it fails; default 0 (tasks are idempotent, rerun by hand). */
  readonly backoffLimit?: number;
  /** Worker command before `--run DIR --phase P --threads CPUS`; default `sublora-pinn worker`. */
  readonly worker?: readonly string[];
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Longest sanitized part of {@link kubernetesRunName}: with the hash and `-phase-NN` it stays a DNS label. */
const RUN_NAME_PREFIX = 40;

/**
 * A Job-name prefix (DNS label) for a run name: the name itself when it is
 * one, else the name lower-cased, with runs of other characters as '-',
 * shortened, plus '-' and 6 hex digits of its SHA-256, so distinct run names
 * (`ab_c`, `ab-c`, `AB-C`) give distinct Job names.
 */
export function kubernetesRunName(name: string): string {
  if (DNS_LABEL.test(name) && name.length <= RUN_NAME_PREFIX) return name;
  const base = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, RUN_NAME_PREFIX)
    .replace(/^-+|-+$/g, '');
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 6);
  return `${base || 'run'}-${hash}`;
}

/** Name of the Job of phase `phase`. */
export function kubernetesJobName(runName: string, phase: number): string {
  return `${runName}-phase-${phase}`;
}

/** The Job of one phase, checked against the API schema. */
function phaseJob(options: KubernetesOptions, phase: number, count: number): Job {
  const { runName, image, claimName, parallel, resources, namespace } = options;
  const mountPath = options.mountPath ?? '/runs';
  const runDir = `${mountPath}/${options.runDirName ?? runName}`;
  const worker = options.worker ?? DEFAULT_WORKER;
  const quantities = {
    cpu: String(resources.cpus),
    memory: `${resources.memoryMiB}Mi`,
    ...(resources.gpus ? { 'nvidia.com/gpu': String(resources.gpus) } : {}),
  };
  const labels = {
    'app.kubernetes.io/name': 'sublora-pinn',
    'sublora-pinn/run': runName,
    'sublora-pinn/phase': String(phase),
  };
  const job = new Job({
    metadata: {
      name: kubernetesJobName(runName, phase),
      ...(namespace ? { namespace } : {}),
      labels,
    },
    spec: {
      completionMode: 'Indexed',
      completions: count,
      parallelism: Math.min(parallel, count),
      backoffLimit: options.backoffLimit ?? 0,
      // the time limit covers the whole phase: every task, `parallel` at a time
      activeDeadlineSeconds: resources.timeMinutes * 60 * Math.ceil(count / parallel),
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'worker',
              image,
              command: workerCommandLine(worker, runDir, phase, resources),
              resources: { requests: quantities, limits: quantities },
              volumeMounts: [{ name: 'runs', mountPath }],
            },
          ],
          volumes: [{ name: 'runs', persistentVolumeClaim: { claimName } }],
        },
      },
    },
  });
  job.validate();
  return job;
}

/**
 * The Kubernetes files of a grid: `phase-<p>.yaml` per phase and `apply.sh`,
 * which applies them in order, waiting for each Job to complete.
 */
export function kubernetesPlan(list: TaskList, options: KubernetesOptions): ExecutorPlan {
  checkCommon(list, options.parallel, options.resources);
  const longest = kubernetesJobName(options.runName, list.phases.length - 1);
  if (!DNS_LABEL.test(options.runName) || longest.length > 63) {
    throw new InputError(
      'runName',
      `${JSON.stringify(options.runName)}: Job names must be DNS labels (lower-case letters, digits, '-', at most 63 characters with the '-phase-N' suffix)`,
    );
  }
  if (
    options.runDirName !== undefined &&
    !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(options.runDirName)
  ) {
    throw new InputError(
      'runDirName',
      `${JSON.stringify(options.runDirName)}: give the run directory's name (letters, digits, '.', '_', '-')`,
    );
  }
  if (options.image.trim() === '' || /\s/.test(options.image)) {
    throw new InputError(
      'image',
      `${JSON.stringify(options.image)}: give an image reference such as registry/sublora-pinn:0.1.0`,
    );
  }
  const manifests: GeneratedFile[] = list.phases.map((tasks, p) => ({
    path: `phase-${p}.yaml`,
    content: stringify(phaseJob(options, p, tasks.length).toJSON(), { sortMapEntries: true }),
    executable: false,
  }));
  const ns = options.namespace ? ` --namespace ${shellQuote(options.namespace)}` : '';
  const lines = [
    '#!/usr/bin/env bash',
    `# Applies the ${list.phases.length} phases of ${options.runName} in order: Jobs cannot depend on each other.`,
    'set -euo pipefail',
    'cd "$(dirname "$0")"',
    '',
    '# wait_job NAME SECONDS: until the Job is Complete; fails at once when it is Failed',
    'wait_job() {',
    '  local deadline=$((SECONDS + $2)) state',
    '  while :; do',
    `    state=$(kubectl get${ns} "job/$1" -o 'jsonpath={.status.conditions[?(@.status=="True")].type}')`,
    '    case " $state " in',
    '      *" Complete "*) return 0 ;;',
    `      *" Failed "*) echo "apply.sh: job $1 failed; see kubectl logs${ns} -l job-name=$1" >&2; return 1 ;;`,
    '    esac',
    '    if [ "$SECONDS" -ge "$deadline" ]; then',
    '      echo "apply.sh: job $1 not complete after $2 s" >&2',
    '      return 1',
    '    fi',
    '    sleep 10',
    '  done',
    '}',
    '',
  ];
  list.phases.forEach((tasks, p) => {
    const name = kubernetesJobName(options.runName, p);
    const timeout = options.resources.timeMinutes * 60 * Math.ceil(tasks.length / options.parallel);
    lines.push(`kubectl apply${ns} -f phase-${p}.yaml`);
    lines.push(`wait_job ${name} ${timeout}`);
  });
  lines.push('');
  return {
    files: [...manifests, { path: 'apply.sh', content: lines.join('\n'), executable: true }],
    submit: 'bash apply.sh',
  };
}
