import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type MetricRecord, openMetrics, readMetrics } from './metrics';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pinn-metrics-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const epoch = (stage: string, step: number): MetricRecord => ({ kind: 'epoch', stage, step });
const stripTime = (records: MetricRecord[]) => records.map(({ time: _, ...rest }) => rest);

describe('metrics rewind with the records a checkpoint carries', () => {
  it('puts the covered records into a file that holds none of the stage', () => {
    const m = openMetrics(dir);
    m.write({ kind: 'pretrain', stage: 'other/stage' });
    const saved = [epoch('a/pretrain-seed0', 10), epoch('a/pretrain-seed0', 20)];
    m.rewind('a/pretrain-seed0', 10, [...saved, epoch('a/pretrain-seed0', 30)]);
    expect(stripTime(readMetrics(m.file))).toEqual([
      { kind: 'pretrain', stage: 'other/stage' },
      saved[0],
    ]);
    expect(m.stageRecords('a/pretrain-seed0')).toEqual([saved[0]]);
  });

  it('keeps the file as it is when it has the stage, and ignores what is not a record', () => {
    const m = openMetrics(dir);
    m.write(epoch('s', 1));
    m.write(epoch('s', 2));
    const before = fs.readFileSync(m.file, 'utf8');
    m.rewind('s', 2, [epoch('s', 1), epoch('s', 2)]);
    expect(fs.readFileSync(m.file, 'utf8')).toBe(before);
    const fresh = openMetrics(path.join(dir, 'fresh'));
    fresh.rewind('s', 5, [null, 3, { kind: 'epoch', stage: 's' }, { stage: 's', step: 1 }]);
    fresh.rewind('s', 5, { not: 'an array' });
    expect(fs.existsSync(fresh.file)).toBe(false);
  });

  it('drops the records beyond the step and a torn last line, as before', () => {
    const m = openMetrics(dir);
    m.write(epoch('s', 1));
    m.write(epoch('s', 2));
    m.write({ kind: 'summary', stage: 's' });
    fs.appendFileSync(m.file, '{"kind":"ep');
    m.rewind('s', 1, [epoch('s', 1)]);
    expect(stripTime(readMetrics(m.file))).toEqual([epoch('s', 1)]);
    expect(fs.readFileSync(m.file, 'utf8').endsWith('\n')).toBe(true);
  });

  it('stageRecords stays what the file holds through writes and rewinds', () => {
    const m = openMetrics(dir);
    const fromFile = (stage: string) =>
      readMetrics(m.file).filter((r) => r.stage === stage && typeof r.step === 'number');
    m.write(epoch('s', 1));
    m.write({ kind: 'summary', stage: 's' });
    expect(m.stageRecords('s')).toEqual(fromFile('s'));
    m.write(epoch('s', 2));
    m.write(epoch('t', 1));
    m.write({ kind: 'epoch', stage: 's', step: 3, loss: NaN });
    expect(m.stageRecords('s')).toEqual(fromFile('s'));
    expect(m.stageRecords('s')).toHaveLength(3);
    expect(m.stageRecords('t')).toEqual(fromFile('t'));
    m.rewind('s', 1);
    expect(m.stageRecords('s')).toEqual(fromFile('s'));
    expect(m.stageRecords('s')).toHaveLength(1);
    m.write(epoch('s', 2));
    expect(m.stageRecords('s')).toEqual(fromFile('s'));
    expect(m.stageRecords('nothing')).toEqual([]);
  });
});
