/**
 * `metrics.jsonl`: one JSON object per line, appended as the run goes, so a
 * crashed run keeps what it measured. Every record has a `kind`.
 *
 * Resume safety. Records of a stage carry `stage` (e.g.
 * `elliptic/pretrain-seed0`) and, for records inside it, `step`: the number
 * of epochs of that stage done once the record's epoch is done. A stage
 * resuming from a checkpoint at step s first calls `rewind(stage, s)`, which
 * drops the stage's records with a larger step and its step-less summary
 * records (the resumed run writes them again), so an interrupted and resumed
 * run leaves the same records as an uninterrupted one. `sync` makes the
 * appended records durable; stages call it before they commit a checkpoint
 * or results that claim those records exist.
 *
 * Checkpoints carry their stage's records (`stageRecords`, taken at each
 * save). A grid task writes to `metrics/<task id>/`, and a task's id changes
 * with settings that leave its checkpoint valid (`evaluation.*`): the new
 * task resumes the finished checkpoint into an empty file, and `rewind` puts
 * the checkpoint's records there, so the merged `metrics.jsonl` keeps the
 * training that the new task did not repeat.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import writeFileAtomic from 'write-file-atomic';

/** One metrics record. */
export type MetricRecord = { readonly kind: string } & Readonly<Record<string, unknown>>;

/** Appends records to a JSONL file. */
export interface MetricsWriter {
  write(record: MetricRecord): void;
  /**
   * Drops the records of `stage` that a checkpoint at `step` does not cover
   * (`step` greater than it, or none), and lines cut short by a crash. When
   * no record of `stage` is left, appends those of `saved` (the records the
   * checkpoint carries, see {@link MetricsWriter.stageRecords}) that it covers.
   */
  rewind(stage: string, step: number, saved?: unknown): void;
  /** The records of `stage` that have a step, in file order: what a checkpoint of the stage carries. */
  stageRecords(stage: string): MetricRecord[];
  /** Flushes appended records to disk (fsync). */
  sync(): void;
  readonly file: string;
}

function parseLine(line: string): MetricRecord | undefined {
  try {
    return JSON.parse(line) as MetricRecord;
  } catch {
    return undefined; // a line cut short by a crash
  }
}

/** The records a checkpoint carries, from its JSON state; anything else there is not a record and is left out. */
function savedRecords(saved: unknown): MetricRecord[] {
  if (!Array.isArray(saved)) return [];
  return saved.filter(
    (r): r is MetricRecord =>
      r !== null &&
      typeof r === 'object' &&
      typeof (r as MetricRecord).kind === 'string' &&
      typeof (r as MetricRecord).step === 'number',
  );
}

/** Records that belong to a stage and carry a step: those `stageRecords` returns. */
const isStepped = (r: MetricRecord): boolean =>
  typeof r.stage === 'string' && typeof r.step === 'number';

/** Opens (appending) `<dir>/metrics.jsonl`. */
export function openMetrics(dir: string): MetricsWriter {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'metrics.jsonl');
  // The stepped records by stage, read from the file at the first
  // `stageRecords` and kept in step with it after (appended by `write`,
  // dropped by `rewind`), so checkpoint saves do not re-read a long file.
  let byStage: Map<string, MetricRecord[]> | undefined;
  const remember = (r: MetricRecord) => {
    if (!byStage || !isStepped(r)) return;
    const list = byStage.get(r.stage as string) ?? [];
    list.push(r);
    byStage.set(r.stage as string, list);
  };
  return {
    file,
    write(record) {
      const line = JSON.stringify({ time: new Date().toISOString(), ...record });
      fs.appendFileSync(file, `${line}\n`);
      // parsed back, so what is remembered is what a reader of the file gets
      if (byStage) remember(JSON.parse(line) as MetricRecord);
    },
    rewind(stage, step, saved) {
      const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
      const lines = text.split('\n').filter((line) => line !== '');
      let holdsStage = false;
      const kept = lines.filter((line) => {
        const record = parseLine(line);
        if (!record) return false;
        if (record.stage !== stage) return true;
        const covered = typeof record.step === 'number' && record.step <= step;
        holdsStage ||= covered;
        return covered;
      });
      const restored = holdsStage
        ? []
        : savedRecords(saved)
            .filter((r) => r.stage === stage && (r.step as number) <= step)
            .map((r) => JSON.stringify(r));
      // Rewrite only when something changes: the text of kept lines is left as it was.
      const unterminated = text !== '' && !text.endsWith('\n');
      if (unterminated || kept.length !== lines.length || restored.length > 0)
        writeFileAtomic.sync(file, [...kept, ...restored].map((l) => `${l}\n`).join(''));
      byStage = undefined;
    },
    stageRecords(stage) {
      if (!byStage) {
        byStage = new Map();
        readMetrics(file).forEach(remember);
      }
      return [...(byStage.get(stage) ?? [])];
    },
    sync() {
      if (!fs.existsSync(file)) return;
      const fd = fs.openSync(file, 'r');
      try {
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    },
  };
}

/** Reads every record of a metrics file (skipping a torn last line from a crash). */
export function readMetrics(file: string): MetricRecord[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map(parseLine)
    .filter((r): r is MetricRecord => r !== undefined);
}
