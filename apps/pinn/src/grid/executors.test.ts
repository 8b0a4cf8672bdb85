import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { parse } from 'yaml';
import type { ExecutorPlan } from './executor-files';
import { shellQuote } from './executor-files';
import { type KubernetesOptions, kubernetesPlan } from './kubernetes';
import { type SlurmOptions, slurmPlan } from './slurm';
import { buildTaskList } from './task-list';
import { expectGolden } from './golden.test-utils';
import { exampleGrid } from './test-grid.test-utils';

const list = buildTaskList(exampleGrid());
const resources = { cpus: 2, memoryMiB: 4096, timeMinutes: 90 };

const slurmOptions: SlurmOptions = {
  runName: 'medium',
  runDir: '/shared/runs/medium',
  parallel: 6,
  resources,
  partition: 'cpu',
};
const k8sOptions: KubernetesOptions = {
  runName: 'medium',
  image: 'registry.example/sublora-pinn:0.1.0',
  claimName: 'sublora-runs',
  parallel: 6,
  resources: { ...resources, gpus: 1 },
  namespace: 'research',
};

/** `bash -n` on every script of a plan (syntax only; nothing runs). */
function bashSyntax(plan: ExecutorPlan, pattern: RegExp): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'grid-bash-'));
  try {
    const scripts = plan.files.filter((f) => pattern.test(f.path));
    expect(scripts.length).toBeGreaterThan(0);
    for (const f of scripts) {
      fs.writeFileSync(path.join(dir, f.path), f.content);
      execFileSync('bash', ['-n', path.join(dir, f.path)], { stdio: 'pipe' });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('slurmPlan', () => {
  const plan = slurmPlan(list, slurmOptions);

  it('matches the golden files', () => {
    expectGolden('slurm', plan.files);
    expect(plan.submit).toBe('bash submit.sh');
  });

  it('writes one array per phase, sized to the phase and capped at --parallel', () => {
    const arrays = plan.files
      .filter((f) => f.path.endsWith('.sbatch'))
      .map((f) => /#SBATCH --array=(.*)/.exec(f.content)?.[1]);
    expect(arrays).toEqual(['0-3%4', '0-7%6', '0-23%6']);
  });

  it('chains each phase after the previous one with afterok', () => {
    const submit = plan.files.find((f) => f.path === 'submit.sh')!.content;
    expect(submit).toContain('job0=$(sbatch --parsable phase-0.sbatch)');
    expect(submit).toContain(
      'job1=$(sbatch --parsable --dependency=afterok:"$job0" phase-1.sbatch)',
    );
    expect(submit).toContain(
      'job2=$(sbatch --parsable --dependency=afterok:"$job1" phase-2.sbatch)',
    );
  });

  it('passes bash -n', () => bashSyntax(plan, /\.(sh|sbatch)$/));

  it('quotes a worker command with spaces and quotes', () => {
    const p = slurmPlan(list, {
      ...slurmOptions,
      worker: ['node', "/opt/my app/it's.js", 'worker'],
    });
    const script = p.files[0].content;
    expect(script).toContain(
      `exec node '/opt/my app/it'\\''s.js' worker --run /shared/runs/medium --phase 0`,
    );
    bashSyntax(p, /\.sbatch$/);
  });

  it.each([
    [{ parallel: 0 }, '--parallel: 0: use a whole number >= 1'],
    [{ runName: 'a b' }, 'runName: "a b": use letters'],
    [{ runDir: 'runs/x' }, 'runDir: "runs/x": give an absolute path'],
    [{ resources: { ...resources, timeMinutes: 0 } }, 'resources.timeMinutes: 0:'],
  ])('rejects %j with one line', (change, message) => {
    expect(() => slurmPlan(list, { ...slurmOptions, ...change })).toThrow(message);
  });
});

describe('kubernetesPlan', () => {
  const plan = kubernetesPlan(list, k8sOptions);
  const jobs = plan.files.filter((f) => f.path.endsWith('.yaml')).map((f) => parse(f.content));

  it('matches the golden files', () => {
    expectGolden('kubernetes', plan.files);
    expect(plan.submit).toBe('bash apply.sh');
  });

  it('validates every manifest against the Kubernetes API schema', () => {
    for (const job of jobs) expect(() => new Job(job).validate()).not.toThrow();
  });

  it('would catch an invalid manifest (the schema check is live)', () => {
    const broken = structuredClone(jobs[0]);
    broken.spec.completions = 'four';
    expect(() => new Job(broken).validate()).toThrow();
    const noImage = structuredClone(jobs[0]);
    delete noImage.spec.template.spec.containers[0].name;
    expect(() => new Job(noImage).validate()).toThrow();
  });

  it('writes one Indexed Job per phase on the shared claim', () => {
    expect(
      jobs.map((j) => [
        j.metadata.name,
        j.spec.completionMode,
        j.spec.completions,
        j.spec.parallelism,
      ]),
    ).toEqual([
      ['medium-phase-0', 'Indexed', 4, 4],
      ['medium-phase-1', 'Indexed', 8, 6],
      ['medium-phase-2', 'Indexed', 24, 6],
    ]);
    for (const [p, job] of jobs.entries()) {
      const pod = job.spec.template.spec;
      expect(pod.volumes).toEqual([
        { name: 'runs', persistentVolumeClaim: { claimName: 'sublora-runs' } },
      ]);
      expect(pod.containers[0].command).toEqual([
        'sublora-pinn',
        'worker',
        '--run',
        '/runs/medium',
        '--phase',
        String(p),
        // the pod's CPU request, which a CPU limit enforces as time, not as a CPU set
        '--threads',
        String(k8sOptions.resources.cpus),
      ]);
      expect(pod.containers[0].image).toBe(k8sOptions.image);
    }
  });

  it('applies the phases in order, waiting for each', () => {
    const apply = plan.files.find((f) => f.path === 'apply.sh')!.content;
    const steps = apply.split('\n').filter((l) => /^(kubectl|wait_job) /.test(l));
    expect(steps).toEqual([
      'kubectl apply --namespace research -f phase-0.yaml',
      'wait_job medium-phase-0 5400',
      'kubectl apply --namespace research -f phase-1.yaml',
      'wait_job medium-phase-1 10800',
      'kubectl apply --namespace research -f phase-2.yaml',
      'wait_job medium-phase-2 21600',
    ]);
  });

  it('stops apply.sh when a Job fails and goes on when it completes (kubectl stubbed)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'grid-kubectl-'));
    try {
      for (const f of plan.files) fs.writeFileSync(path.join(dir, f.path), f.content);
      // a kubectl that logs its calls and reports phase 1 as Failed, the others as Complete
      fs.writeFileSync(
        path.join(dir, 'kubectl'),
        [
          '#!/usr/bin/env bash',
          'echo "$*" >> "$(dirname "$0")/calls.txt"',
          'case "$*" in *job/medium-phase-1*) echo -n "FailureTarget Failed" ;; get*) echo -n Complete ;; esac',
          '',
        ].join('\n'),
        { mode: 0o755 },
      );
      let failed = false;
      try {
        execFileSync('bash', [path.join(dir, 'apply.sh')], {
          env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
          stdio: 'pipe',
        });
      } catch (e) {
        failed = true;
        expect(String((e as { stderr: Buffer }).stderr)).toContain(
          'apply.sh: job medium-phase-1 failed; see kubectl logs --namespace research -l job-name=medium-phase-1',
        );
      }
      expect(failed).toBe(true);
      const calls = fs.readFileSync(path.join(dir, 'calls.txt'), 'utf8').trim().split('\n');
      expect(calls.map((c) => c.split(' ').slice(0, 5).join(' '))).toEqual([
        'apply --namespace research -f phase-0.yaml',
        'get --namespace research job/medium-phase-0 -o',
        'apply --namespace research -f phase-1.yaml',
        'get --namespace research job/medium-phase-1 -o',
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('passes bash -n', () => bashSyntax(plan, /\.sh$/));

  it.each([
    [{ runName: 'Medium' }, 'runName: "Medium": Job names must be DNS labels'],
    [{ runName: 'a'.repeat(60) }, 'Job names must be DNS labels'],
    [{ image: '' }, 'image: "": give an image reference'],
  ])('rejects %j with one line', (change, message) => {
    expect(() => kubernetesPlan(list, { ...k8sOptions, ...change })).toThrow(message);
  });
});

describe('shellQuote', () => {
  it('round-trips any word through bash', () => {
    for (const word of ['plain', 'a b', "it's", '$HOME', '`x`', 'a"b', '', 'tab\there']) {
      const out = execFileSync('bash', ['-c', `printf %s ${shellQuote(word)}`], {
        encoding: 'utf8',
      });
      expect(out).toBe(word);
    }
  });
});
