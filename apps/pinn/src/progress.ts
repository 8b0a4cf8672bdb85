/**
 * Progress display: a `cli-progress` bar with loss and ETA, redrawn in place
 * on a terminal. Nothing is printed when the stream is not a TTY (pipes,
 * files, CI logs: the results and the report carry the outcome), when `CI` is
 * set, or when quiet.
 */
import { Format, Presets, SingleBar } from 'cli-progress';

/** Where progress goes (process.stderr by default). */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
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
  /** Environment (for `CI`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** `loss=1.234e-5`-style text of the named values (4 significant digits). */
function formatValues(values: Readonly<Record<string, number>> | undefined): string {
  if (!values) return '';
  return Object.entries(values)
    .map(
      ([k, v]) =>
        ` ${k}=${Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : v.toPrecision(4)}`,
    )
    .join('');
}

/**
 * SingleBar redraws from a timer it re-arms after every draw; a bar whose
 * phase stops before `finish` (an interrupt, an error) would keep the process
 * alive through it. Unreferencing each timer leaves the redraws as they are
 * and lets the process exit. (`timer` is SingleBar's own field, set by
 * `render`.)
 */
class UnreferencedBar extends SingleBar {
  override render(): void {
    super.render();
    (this as unknown as { timer?: NodeJS.Timeout | null }).timer?.unref();
  }
}

const NOTHING: Progress = { update: () => undefined, finish: () => undefined };

/** Starts a progress display (see the module comment). */
export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const env = options.env ?? process.env;
  if (options.quiet || !stream.isTTY || env.CI) return NOTHING;
  const total = Math.max(options.total, 1);
  const bar = new UnreferencedBar(
    {
      stream: stream as NodeJS.WritableStream,
      // the same line with the time taken once the bar is full, the ETA before
      format: (opts, params, payload) => {
        const timing =
          params.value >= params.total ? 'in {duration_formatted}' : 'eta {eta_formatted}';
        const format = `[{bar}] ${options.label} {percentage}% {value}/{total}{values} ${timing}`;
        return Format.Formatter({ ...opts, format }, params, payload);
      },
      barsize: 24,
      // keep the terminal's cursor and wrapping settings (an interrupted bar
      // must not leave them changed); lines are cut to the terminal width instead
      hideCursor: null,
      linewrap: true,
    },
    Presets.legacy,
  );
  let started = false;
  let finished = false;
  return {
    update(done, values) {
      if (finished) return;
      const payload = { values: formatValues(values) };
      if (started) bar.update(Math.min(done, total), payload);
      else bar.start(total, Math.min(done, total), payload);
      started = true;
    },
    finish(values) {
      if (finished) return;
      finished = true;
      if (!started) bar.start(total, total);
      bar.update(total, { values: formatValues(values) });
      bar.stop();
    },
  };
}
