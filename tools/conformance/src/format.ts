/** Plain-text tables of conformance reports. */
import type { ConformanceReport } from './run';

function pad(cells: readonly string[], widths: readonly number[]): string {
  return cells
    .map((c, i) => c.padEnd(widths[i]))
    .join('  ')
    .trimEnd();
}

/** Renders rows as an aligned table with a header rule. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [
    pad(header, widths),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map((r) => pad(r, widths)),
  ].join('\n');
}

/** One line per case: status, name, worst error, tolerance, detail or failure message. */
export function formatReport(target: string, report: ConformanceReport): string {
  const rows = report.results.map((r) => [
    r.pass ? 'ok' : 'FAIL',
    r.name,
    r.error === 0 ? '0' : r.error.toExponential(1),
    r.tolerance === 0 ? 'exact' : r.tolerance.toExponential(1),
    r.message ?? r.detail,
  ]);
  const title = `${target} ${report.dtype}: ${report.passed} passed, ${report.failed} failed (seed ${report.seed})`;
  return `${title}\n${table(['', 'case', 'error', 'tolerance', 'detail'], rows)}`;
}
