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
   * (`step` greater than it, or none), and lines cut short by a crash.
   */
  rewind(stage: string, step: number): void;
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

/** Opens (appending) `<dir>/metrics.jsonl`. */
export function openMetrics(dir: string): MetricsWriter {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'metrics.jsonl');
  return {
    file,
    write(record) {
      fs.appendFileSync(file, `${JSON.stringify({ time: new Date().toISOString(), ...record })}\n`);
    },
    rewind(stage, step) {
      if (!fs.existsSync(file)) return;
      const text = fs.readFileSync(file, 'utf8');
      const lines = text.split('\n');
      const kept = lines.filter((line) => {
        if (line === '') return false;
        const record = parseLine(line);
        if (!record) return false;
        if (record.stage !== stage) return true;
        return typeof record.step === 'number' && record.step <= step;
      });
      // Rewrite only when something goes: the text of kept lines is left as it was.
      const unterminated = text !== '' && !text.endsWith('\n');
      if (unterminated || kept.length !== lines.filter((l) => l !== '').length)
        writeFileAtomic.sync(file, kept.map((l) => `${l}\n`).join(''));
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
