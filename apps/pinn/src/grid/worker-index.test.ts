import { resolveWorkerIndex } from './worker-index';

describe('resolveWorkerIndex', () => {
  const both = { JOB_COMPLETION_INDEX: '4', SLURM_ARRAY_TASK_ID: '5' };

  it('takes --index, then JOB_COMPLETION_INDEX, then SLURM_ARRAY_TASK_ID', () => {
    expect(resolveWorkerIndex('3', both)).toEqual({ index: 3, source: '--index' });
    expect(resolveWorkerIndex(undefined, both)).toEqual({
      index: 4,
      source: 'JOB_COMPLETION_INDEX',
    });
    expect(resolveWorkerIndex(undefined, { SLURM_ARRAY_TASK_ID: '5' })).toEqual({
      index: 5,
      source: 'SLURM_ARRAY_TASK_ID',
    });
    // an empty variable counts as unset
    expect(
      resolveWorkerIndex(undefined, { JOB_COMPLETION_INDEX: '', SLURM_ARRAY_TASK_ID: '0' }),
    ).toEqual({ index: 0, source: 'SLURM_ARRAY_TASK_ID' });
  });

  it('says what to do when no index is given', () => {
    expect(() => resolveWorkerIndex(undefined, {})).toThrow(
      '--index: no task index; pass --index I, or run under a Kubernetes Indexed Job (JOB_COMPLETION_INDEX) or a Slurm job array (SLURM_ARRAY_TASK_ID)',
    );
  });

  it.each([
    ['-1', '--index: "-1" is not a task index'],
    ['1.5', '--index: "1.5" is not a task index'],
    ['x', '--index: "x" is not a task index'],
    ['99999999999999999999', '--index: "99999999999999999999" is not a task index'],
  ])('rejects --index %s', (flag, message) => {
    expect(() => resolveWorkerIndex(flag, {})).toThrow(message);
  });

  it('names the source of an out-of-range index', () => {
    expect(() => resolveWorkerIndex(undefined, { SLURM_ARRAY_TASK_ID: '7' }, 4)).toThrow(
      'SLURM_ARRAY_TASK_ID: 7 is out of range: this phase has 4 tasks (0..3)',
    );
    expect(resolveWorkerIndex(undefined, { SLURM_ARRAY_TASK_ID: '3' }, 4).index).toBe(3);
  });
});
