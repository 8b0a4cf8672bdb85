/**
 * Readable (non-JSON) output: aligned `label  value` rows with indented
 * sections for nested records such as diagnostics and certificates.
 */
import type { CheckReport } from './types';

/** How many violating pairs the readable check report lists. */
export const SHOWN_VIOLATIONS = 5;

/** A number with at most 6 significant digits, integers as they are. */
export function formatNumber(x: number): string {
  if (Number.isInteger(x) || !Number.isFinite(x)) return String(x);
  return String(Number(x.toPrecision(6)));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

/** One value on one line: numbers rounded, arrays bracketed, records as `k=v` pairs. */
export function formatInline(v: unknown): string {
  if (typeof v === 'number') return formatNumber(v);
  if (Array.isArray(v) || ArrayBuffer.isView(v)) {
    return `[${Array.from(v as ArrayLike<unknown>, formatInline).join(', ')}]`;
  }
  if (isRecord(v)) {
    return Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => `${k}=${formatInline(x)}`)
      .join(' ');
  }
  return String(v);
}

/** Rows `label  value` aligned on the longest label; records become indented sections. */
export function formatRows(rows: readonly (readonly [string, unknown])[], indent = ''): string {
  const present = rows.filter(([, v]) => v !== undefined);
  const width = Math.max(0, ...present.map(([label]) => label.length));
  return present
    .map(([label, v]) =>
      isRecord(v)
        ? `${indent}${label}\n${formatRows(Object.entries(v), `${indent}  `)}`
        : `${indent}${label.padEnd(width)}  ${formatInline(v)}\n`,
    )
    .join('');
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The readable report of `sublora check`. */
export function formatCheckReport(report: CheckReport): string {
  const shown = report.violations.slice(0, SHOWN_VIOLATIONS);
  const more = report.violationCount - shown.length;
  const pairs =
    shown
      .map(({ i, j, value }) => `(${i}, ${j}): H_ij s_i s_j = ${formatNumber(value)}`)
      .join('; ') + (more > 0 ? `; ... ${more} more (--json lists all)` : '');
  const p = report.projection;
  return formatRows([
    ['singular values', report.r],
    ['submodular', report.submodular ? 'yes (Theorem 2 holds)' : 'no (Theorem 2 fails)'],
    [
      'violating pairs',
      `${report.violationCount} of ${report.offDiagonalPairs} off-diagonal pairs`,
    ],
    ['first violations', shown.length > 0 ? pairs : undefined],
    [
      'projection removes',
      `${plural(p.removedPairs, 'pair')} (${plural(p.removedEntries, 'entry', 'entries')}), ||H - G||_F = ${formatNumber(p.frobeniusDistance)} (${formatNumber(100 * p.relativeFrobeniusDistance)}% of ||H||_F)`,
    ],
  ]);
}
