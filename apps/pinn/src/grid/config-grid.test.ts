import { resolveConfig } from '../config';
import { gridOf } from './config-grid';
import { buildTaskList } from './task-list';

const ids = (overrides: Record<string, unknown>) =>
  buildTaskList(gridOf(resolveConfig('smoke', overrides), ['elliptic', 'hyperbolic']))
    .phases.flat()
    .map((t) => t.id);

describe('the grid of a configuration', () => {
  it('keeps every task id when a method is added, so a rerun only runs the new tasks', () => {
    const before = ids({});
    const after = ids({ 'alternating.methods': ['linear', 'sublora-g', 'diag'] });
    expect(after.length).toBe(before.length + 2);
    for (const id of before) expect(after).toContain(id);
  });

  it('changes every id below a changed setting and none above it', () => {
    const before = ids({});
    expect(ids({ 'network.width': 7 }).filter((id) => before.includes(id))).toEqual([]);
    const finetune = ids({ 'epochs.finetune': 31 });
    const pretrainIds = before.slice(0, 2);
    expect(finetune.slice(0, 2)).toEqual(pretrainIds);
    expect(finetune.slice(2).filter((id) => before.includes(id))).toEqual([]);
  });

  it('names the checkpoint sidecars as the outputs of pretraining and fine-tuning', () => {
    const list = buildTaskList(gridOf(resolveConfig('smoke'), ['elliptic']));
    expect(list.phases[0][0].outputs[0]).toBe('checkpoints/elliptic/pretrain-seed0.json');
    expect(list.phases[1][0].outputs[0]).toBe('checkpoints/elliptic/finetune-1_1-seed0.json');
  });
});
