import type { GridDescription, TaskKey } from './task-list';

/** A small grid for tests: 2 PDEs x 2 seeds x 2 targets x (2 methods + 1 alternating). */
export function exampleGrid(): GridDescription {
  return {
    pdes: ['heat', 'wave'],
    seeds: [0, 1],
    targets: [
      [1, 1],
      [1, 5],
    ],
    methods: ['sublora', 'magnitude'],
    alternating: ['sublora'],
    // what a real slice holds: the settings each kind of task depends on
    slice: (key: TaskKey) => ({
      pde: key.pde,
      seed: key.seed,
      pretrainEpochs: 10,
      ...(key.kind === 'pretrain' ? {} : { target: key.target, finetuneEpochs: 5 }),
      ...(key.kind === 'determine' || key.kind === 'alternate'
        ? { method: key.method, budgets: [2, 4] }
        : {}),
    }),
  };
}
