/**
 * `mergeMetrics`: per-task metrics files joined in task order, each ending
 * in a newline, so a line torn by a crash never glues onto the next task's
 * first record.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Results } from '../results';
import { mergeMetrics, pdesLeftOut, wholeLines } from './merge';
import { buildTaskList } from './task-list';
import { exampleGrid } from './test-grid.test-utils';

const list = buildTaskList(exampleGrid());
const [first, second, third] = list.phases.flat();

let runDir: string;
beforeEach(() => {
  runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'grid-merge-'));
});
afterEach(() => fs.rmSync(runDir, { recursive: true, force: true }));

function writeMetrics(id: string, text: string): void {
  fs.mkdirSync(path.join(runDir, 'metrics', id), { recursive: true });
  fs.writeFileSync(path.join(runDir, 'metrics', id, 'metrics.jsonl'), text);
}

describe('mergeMetrics', () => {
  it('never joins a torn last line onto the next task’s first record, nor keeps it', () => {
    writeMetrics(first.id, '{"kind":"epoch","step":1}\n{"kind":"epoch","st');
    // a complete record whose newline was not written yet is kept, on its own line
    writeMetrics(second.id, '{"kind":"pretrain","step":2}');
    writeMetrics(third.id, '{"kind":"finetune","step":3}\n');
    mergeMetrics(runDir, list);
    const lines = fs.readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8');
    expect(lines).toBe(
      '{"kind":"epoch","step":1}\n{"kind":"pretrain","step":2}\n{"kind":"finetune","step":3}\n',
    );
    // every line is a record
    for (const line of lines.trimEnd().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('drops a torn line that alone would parse as JSON but is no record', () => {
    expect(wholeLines('{"a":1}\n12')).toBe('{"a":1}\n');
    expect(wholeLines('')).toBe('');
    expect(wholeLines('{"a":1}\n')).toBe('{"a":1}\n');
  });
});

describe('pdesLeftOut', () => {
  it('names the PDEs whose results a merge of other PDEs leaves out of results.json', () => {
    const entry = (pde: string) => ({ pde }) as never;
    const previous: Results = {
      pretrain: { 'elliptic/seed0': entry('elliptic'), 'hyperbolic/seed0': entry('hyperbolic') },
      finetune: { 'allen-cahn/1_1/seed0': entry('allen-cahn') },
      determination: {},
      alternating: { 'elliptic/1_1/sublora-g/seed0': entry('elliptic') },
    };
    expect(pdesLeftOut(previous, ['allen-cahn'])).toEqual(['elliptic', 'hyperbolic']);
    expect(pdesLeftOut(previous, ['elliptic', 'hyperbolic', 'allen-cahn'])).toEqual([]);
    expect(
      pdesLeftOut({ pretrain: {}, finetune: {}, determination: {}, alternating: {} }, ['elliptic']),
    ).toEqual([]);
  });
});
