import { createHash } from 'node:crypto';
import fc from 'fast-check';
import * as E from 'fp-ts/Either';
import {
  type GridDescription,
  type TaskKey,
  buildTaskList,
  canonicalJson,
  parseTaskList,
  parseTaskListE,
  serializeTaskList,
  taskAt,
  taskId,
} from './task-list';
import { exampleGrid } from './test-grid.test-utils';

describe('buildTaskList', () => {
  const list = buildTaskList(exampleGrid());

  it('puts pretrain, fine-tune and the methods in three phases of the expected sizes', () => {
    // 2 PDEs x 2 seeds; x 2 targets; x (1 determination + 2 alternating)
    expect(list.phases.map((p) => p.length)).toEqual([4, 8, 24]);
    expect(list.phases[0].every((t) => t.kind === 'pretrain')).toBe(true);
    expect(list.phases[1].every((t) => t.kind === 'finetune')).toBe(true);
    expect(new Set(list.phases[2].map((t) => t.kind))).toEqual(new Set(['determine', 'alternate']));
  });

  it('links every task to the task it reads, in an earlier phase', () => {
    const byId = new Map(list.phases.flat().map((t) => [t.id, t]));
    for (const task of list.phases.flat()) {
      expect(task.inputs).toHaveLength(task.phase === 0 ? 0 : 1);
      for (const input of task.inputs) {
        const from = byId.get(input)!;
        expect(from.phase).toBe(task.phase - 1);
        expect(from.key.pde).toBe(task.key.pde);
        expect(from.key.seed).toBe(task.key.seed);
      }
    }
  });

  it('numbers tasks by their position and gives each its own outputs', () => {
    list.phases.forEach((tasks, p) =>
      tasks.forEach((t, i) => expect([t.phase, t.index]).toEqual([p, i])),
    );
    const outputs = list.phases.flat().flatMap((t) => t.outputs);
    expect(new Set(outputs).size).toBe(outputs.length);
    expect(list.phases[0][0].outputs).toEqual([
      'checkpoints/heat/pretrain-seed0.json',
      `shards/pretrain-${list.phases[0][0].id}.json`,
    ]);
  });

  it('hashes the canonical JSON of kind, config and inputs into the id', () => {
    const written =
      '{"config":{"a":[2,"x"],"b":{"c":null,"d":1.5}},"inputs":["00ff"],"kind":"finetune"}';
    const expected = createHash('sha256').update(written).digest('hex').slice(0, 16);
    expect(taskId('finetune', { b: { d: 1.5, c: null }, a: [2, 'x'] }, ['00ff'])).toBe(expected);
  });

  it('gives byte-identical tasks.json for the same grid, whatever the key order of the slices', () => {
    const reordered: GridDescription = {
      ...exampleGrid(),
      slice: (key) => {
        const slice = exampleGrid().slice(key) as Record<string, unknown>;
        return Object.fromEntries(Object.entries(slice).reverse()) as never;
      },
    };
    expect(serializeTaskList(buildTaskList(reordered))).toBe(serializeTaskList(list));
  });

  it('changes the ids below a changed pretraining setting, and only those', () => {
    const changed = buildTaskList({
      ...exampleGrid(),
      slice: (key: TaskKey) => {
        const base = exampleGrid().slice(key) as Record<string, unknown>;
        return key.pde === 'wave' ? { ...base, pretrainEpochs: 11 } : (base as never);
      },
    });
    const all = (l: typeof list) => l.phases.flat();
    all(changed).forEach((t, i) => {
      const before = all(list)[i];
      expect(t.id === before.id).toBe(t.key.pde !== 'wave');
    });
  });

  it('rejects duplicate list entries and slices that cannot tell tasks apart', () => {
    expect(() => buildTaskList({ ...exampleGrid(), seeds: [0, 0] })).toThrow(
      /^grid: seeds lists 0 twice/,
    );
    expect(() => buildTaskList({ ...exampleGrid(), slice: () => ({}) })).toThrow(
      /^grid: two alternate tasks resolve to the same configuration \(.*"method":"magnitude"/,
    );
  });

  it('leaves out empty phases', () => {
    const l = buildTaskList({ ...exampleGrid(), targets: [] });
    expect(l.phases.map((p) => p.length)).toEqual([4]);
  });
});

describe('canonicalJson', () => {
  it('does not depend on key order (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(obj));
        expect(JSON.parse(canonicalJson(obj))).toEqual(JSON.parse(JSON.stringify(obj)));
      }),
    );
  });
});

describe('parseTaskList', () => {
  const list = buildTaskList(exampleGrid());
  const text = serializeTaskList(list);

  it('reads back what serializeTaskList wrote', () => {
    expect(parseTaskList(text)).toEqual(list);
    expect(parseTaskListE(text)).toEqual(E.right(list));
    expect(E.isLeft(parseTaskListE('[]', 'x.json'))).toBe(true);
    expect(serializeTaskList(parseTaskList(text))).toBe(text);
  });

  it('rejects a hand-edited config, a wrong position and broken JSON with one line', () => {
    const edited = JSON.parse(text);
    edited.phases[1][0].config.finetuneEpochs = 999;
    expect(() => parseTaskList(JSON.stringify(edited))).toThrow(
      /^tasks\.json: phase 1 task 0 \([0-9a-f]+\): id does not match/,
    );
    const moved = JSON.parse(text);
    moved.phases[0][1].index = 0;
    expect(() => parseTaskList(JSON.stringify(moved))).toThrow(/says phase 0 index 0/);
    expect(() => parseTaskList('{', 'runs/x/tasks.json')).toThrow(
      /^runs\/x\/tasks\.json: not JSON/,
    );
    expect(() => parseTaskList('{"format":"other","phases":[]}')).toThrow(/^tasks\.json: format:/);
    for (const message of [() => parseTaskList('{'), () => parseTaskList(JSON.stringify(edited))]) {
      expect(() => message()).toThrow(
        expect.objectContaining({ message: expect.not.stringContaining('\n') }),
      );
    }
  });

  it('rejects inputs that are not from an earlier phase', () => {
    const swapped = JSON.parse(text);
    swapped.phases[0][0].inputs = [swapped.phases[1][0].id];
    // ids are checked first; recompute the edited task's id so the input check is reached
    const t = swapped.phases[0][0];
    t.id = createHash('sha256')
      .update(canonicalJson({ kind: t.kind, config: t.config, inputs: t.inputs }))
      .digest('hex')
      .slice(0, 16);
    expect(() => parseTaskList(JSON.stringify(swapped))).toThrow(
      /input [0-9a-f]+ is not a task of an earlier phase/,
    );
  });
});

describe('taskAt', () => {
  const list = buildTaskList(exampleGrid());
  it('finds a task and names the range when out of it', () => {
    expect(taskAt(list, 1, 2)).toBe(list.phases[1][2]);
    expect(() => taskAt(list, 1, 8)).toThrow(
      '--index: 8 is out of range: phase 1 has 8 tasks (0..7)',
    );
    expect(() => taskAt(list, 3, 0)).toThrow(
      '--phase: 3 is out of range: the task list has phases 0..2',
    );
  });
});
