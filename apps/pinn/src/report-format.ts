/** Number and table formatting shared by the report's sections. */

/** Mean and sample standard deviation (0 for one value). */
export function meanAndSpread(values: readonly number[]): { mean: number; sd: number; n: number } {
  const n = values.length;
  if (n === 0) return { mean: NaN, sd: NaN, n };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, n };
}

export function sci(x: number): string {
  return Number.isFinite(x)
    ? x.toExponential(2).replace('e+', 'E+').replace('e-', 'E-')
    : String(x);
}

export function fmt(values: readonly number[], format: (x: number) => string = sci): string {
  const { mean, sd, n } = meanAndSpread(values);
  if (n === 0) return '-';
  return n > 1 ? `${format(mean)} ± ${format(sd)}` : format(mean);
}

export const pct = (x: number): string => (100 * x).toFixed(2);

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

export function lambdaLabel(lambda: readonly number[]): string {
  return `(${lambda.join(', ')})`;
}
