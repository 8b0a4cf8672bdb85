import * as os from 'node:os';
import * as path from 'node:path';
import { type Clock, isCommitted, readShard, waitForInputs, writeShard } from './shards';
import { buildTaskList, shardPath } from './task-list';
import { exampleGrid } from './test-grid.test-utils';

// The module object itself (not an import-star copy), so spies reach write-file-atomic's calls.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fs: typeof import('node:fs') = require('node:fs');

const list = buildTaskList(exampleGrid());
const pretrain = list.phases[0][0];
const finetune = list.phases[1][0];

let runDir: string;
beforeEach(() => {
  runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'grid-shards-'));
});
afterEach(() => fs.rmSync(runDir, { recursive: true, force: true }));

/** A clock that advances only when slept on, and runs `onSleep` each time. */
function fakeClock(onSleep: (now: number) => void = () => {}): Clock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
      onSleep(now);
    },
  };
}

function commit(task: typeof pretrain): void {
  for (const out of task.outputs.filter((o) => !o.startsWith('shards/'))) {
    fs.mkdirSync(path.dirname(path.join(runDir, out)), { recursive: true });
    fs.writeFileSync(path.join(runDir, out), '{}');
  }
  writeShard(runDir, task, { status: 'ok', result: { loss: 0.5 }, seconds: 1 });
}

describe('shards', () => {
  it('round-trips and commits a task only once its shard and outputs exist', () => {
    expect(readShard(runDir, pretrain)).toBeUndefined();
    expect(isCommitted(runDir, pretrain)).toBe(false);
    writeShard(runDir, pretrain, { status: 'ok', result: { loss: 0.5 }, seconds: 1 });
    // the checkpoint file is still missing
    expect(isCommitted(runDir, pretrain)).toBe(false);
    commit(pretrain);
    expect(isCommitted(runDir, pretrain)).toBe(true);
    expect(readShard(runDir, pretrain)).toEqual({
      format: 'sublora-pinn-shard/1',
      taskId: pretrain.id,
      kind: 'pretrain',
      status: 'ok',
      result: { loss: 0.5 },
      seconds: 1,
    });
  });

  it('does not count a failed task as committed, and rewriting replaces the shard', () => {
    writeShard(runDir, finetune, { status: 'failed', result: null, error: 'NaN loss', seconds: 2 });
    expect(isCommitted(runDir, finetune)).toBe(false);
    commit(finetune);
    expect(isCommitted(runDir, finetune)).toBe(true);
    expect(fs.readdirSync(path.join(runDir, 'shards'))).toEqual([
      path.basename(shardPath(finetune)),
    ]);
  });

  it('leaves no shard when the process dies during the write', () => {
    const realWrite = fs.writeSync.bind(fs) as (fd: number, data: string) => number;
    // write-file-atomic writes the shard text in one call: write half of it, then die
    const write = jest.spyOn(fs, 'writeSync').mockImplementation(((fd: number, data: string) => {
      realWrite(fd, String(data).slice(0, Math.floor(String(data).length / 2)));
      throw new Error('simulated crash: process killed mid-write');
    }) as unknown as typeof fs.writeSync);
    try {
      expect(() => writeShard(runDir, pretrain, { status: 'ok', result: 1, seconds: 0 })).toThrow(
        'simulated crash',
      );
    } finally {
      write.mockRestore();
    }
    expect(readShard(runDir, pretrain)).toBeUndefined();
    expect(fs.readdirSync(path.join(runDir, 'shards'))).toEqual([]);
  });

  it('rejects a damaged shard or one of another task with one line', () => {
    const file = path.join(runDir, shardPath(pretrain));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{"format":');
    expect(() => readShard(runDir, pretrain)).toThrow(
      `${shardPath(pretrain)}: not JSON; delete it and rerun task ${pretrain.id}`,
    );
    fs.writeFileSync(file, JSON.stringify({ format: 'sublora-pinn-shard/1', taskId: pretrain.id }));
    expect(() => readShard(runDir, pretrain)).toThrow(/^shards\/pretrain-[0-9a-f]+\.json: kind: /);
    writeShard(runDir, list.phases[0][1], { status: 'ok', result: 1, seconds: 0 });
    fs.copyFileSync(path.join(runDir, shardPath(list.phases[0][1])), file);
    expect(() => readShard(runDir, pretrain)).toThrow(`belongs to task ${list.phases[0][1].id}`);
  });
});

describe('waitForInputs', () => {
  const options = { timeoutMs: 10_000, pollMs: 1_000 };

  it('returns at once when the inputs are committed', async () => {
    commit(pretrain);
    const clock = fakeClock();
    await waitForInputs(runDir, list, finetune, { ...options, clock });
    expect(clock.slept).toEqual([]);
  });

  it('waits until another worker commits the input', async () => {
    const clock = fakeClock((now) => {
      if (now === 3_000) commit(pretrain);
    });
    await waitForInputs(runDir, list, finetune, { ...options, clock });
    expect(clock.slept).toEqual([1_000, 1_000, 1_000]);
  });

  it('gives up after the timeout naming the missing input', async () => {
    const clock = fakeClock();
    await expect(waitForInputs(runDir, list, finetune, { ...options, clock })).rejects.toThrow(
      `task ${finetune.id} (finetune) waited 10 s for inputs not yet committed: ${pretrain.id} (phase 0 index 0); run the earlier phase first or allow a longer wait`,
    );
    expect(clock.slept.reduce((a, b) => a + b, 0)).toBe(10_000);
  });

  it('stops at once when an input failed', async () => {
    writeShard(runDir, pretrain, { status: 'failed', result: null, error: 'NaN loss', seconds: 1 });
    await expect(
      waitForInputs(runDir, list, finetune, { ...options, clock: fakeClock() }),
    ).rejects.toThrow(/input [0-9a-f]+ \(pretrain\) failed: NaN loss; rerun phase 0 index 0$/);
  });
});
