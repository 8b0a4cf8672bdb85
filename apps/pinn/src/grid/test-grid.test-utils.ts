import type { GridDescription, TaskKey } from './task-list';

/** A small grid for tests: 2 PDEs x 2 seeds x 2 targets x (determination + 2 alternating methods). */
export function exampleGrid(): GridDescription {
  return {
    pdes: ['heat', 'wave'],
    seeds: [0, 1],
    targets: [
      [1, 1],
      [1, 5],
    ],
    determine: true,
    alternating: ['sublora', 'magnitude'],
    // the checkpoint files pretraining and fine-tuning leave for later phases
    outputs: (key: TaskKey) =>
      key.kind === 'pretrain'
        ? [`checkpoints/${key.pde}/pretrain-seed${key.seed}.json`]
        : key.kind === 'finetune'
          ? [`checkpoints/${key.pde}/finetune-${key.target.join('_')}-seed${key.seed}.json`]
          : [],
    // what a real slice holds: the settings each kind of task depends on
    slice: (key: TaskKey) => ({
      pde: key.pde,
      seed: key.seed,
      pretrainEpochs: 10,
      ...(key.kind === 'pretrain' ? {} : { target: key.target, finetuneEpochs: 5 }),
      ...(key.kind === 'determine' ? { budgets: [2, 4] } : {}),
      ...(key.kind === 'alternate' ? { method: key.method, budget: 2 } : {}),
    }),
  };
}
