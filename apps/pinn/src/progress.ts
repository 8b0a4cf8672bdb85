/**
 * A tiny progress reporter: a redrawn bar with loss and ETA on a TTY, a few
 * plain lines otherwise (pipes, CI logs), nothing when quiet.
 */

/** Where progress goes (process.stderr by default). */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** A running progress display. */
export interface Progress {
  /** Reports that `done` of `total` steps are finished, with named values to show. */
  update(done: number, values?: Readonly<Record<string, number>>): void;
  /** Ends the display (prints the final state once). */
  finish(values?: Readonly<Record<string, number>>): void;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  readonly label: string;
  readonly total: number;
  readonly stream?: ProgressStream;
  /** Print nothing at all. */
  readonly quiet?: boolean;
  /** Clock in ms (tests pass a fake one). */
  readonly now?: () => number;
  /** Environment (for `CI`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Formats seconds as `12s`, `3m04s`, `1h02m`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function formatValues(values: Readonly<Record<string, number>> | undefined): string {
  if (!values) return '';
  return Object.entries(values)
    .map(
      ([k, v]) =>
        ` ${k}=${Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : v.toPrecision(4)}`,
    )
    .join('');
}

const BAR_WIDTH = 24;
/** Plain (non-TTY) mode prints at most this many lines per task, plus the last. */
const PLAIN_LINES = 5;

/** Starts a progress display (see the module comment). */
export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  const env = options.env ?? process.env;
  const total = Math.max(options.total, 1);
  const tty = Boolean(stream.isTTY) && !env.CI;
  const start = now();
  let lastDraw = -Infinity;
  let nextPlain = 0;
  let finished = false;

  const line = (done: number, values?: Readonly<Record<string, number>>): string => {
    const fraction = Math.min(done / total, 1);
    const elapsed = (now() - start) / 1000;
    const eta = done > 0 ? (elapsed / done) * (total - done) : NaN;
    const pct = `${Math.floor(fraction * 100)}%`.padStart(4);
    const timing = done >= total ? `in ${formatDuration(elapsed)}` : `eta ${formatDuration(eta)}`;
    return `${options.label} ${pct} ${done}/${total}${formatValues(values)} ${timing}`;
  };

  return {
    update(done, values) {
      if (options.quiet || finished) return;
      if (tty) {
        const t = now();
        if (t - lastDraw < 100 && done < total) return;
        lastDraw = t;
        const filled = Math.round(Math.min(done / total, 1) * BAR_WIDTH);
        stream.write(
          `\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${line(done, values)}`,
        );
      } else if (done >= nextPlain && done < total) {
        stream.write(`${line(done, values)}\n`);
        nextPlain = done + Math.ceil(total / PLAIN_LINES);
      }
    },
    finish(values) {
      if (options.quiet || finished) return;
      finished = true;
      stream.write(tty ? `\r\x1b[2K${line(total, values)}\n` : `${line(total, values)}\n`);
    },
  };
}
