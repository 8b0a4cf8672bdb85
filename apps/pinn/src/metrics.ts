/**
 * `metrics.jsonl`: one JSON object per line, appended as the run goes, so a
 * crashed run keeps what it measured. Every record has a `kind`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** One metrics record. */
export type MetricRecord = { readonly kind: string } & Readonly<Record<string, unknown>>;

/** Appends records to a JSONL file. */
export interface MetricsWriter {
  write(record: MetricRecord): void;
  readonly file: string;
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
  };
}

/** Reads every record of a metrics file (skipping a torn last line from a crash). */
export function readMetrics(file: string): MetricRecord[] {
  if (!fs.existsSync(file)) return [];
  const out: MetricRecord[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as MetricRecord);
    } catch {
      /* a line cut short by a crash */
    }
  }
  return out;
}
